/*
 * errnum.h - error numbers, one list for the kernel and user programs.
 *
 * Actions return 0 or -errno. The numbers are Linux's (asm-generic/errno-base.h
 * and errno.h), so a reader comparing with Linux sees the same values.
 */
#ifndef INCLUDE_ERRNUM_H
#define INCLUDE_ERRNUM_H

#define EPERM 1         /* operation not permitted */
#define ENOENT 2        /* no such file or directory */
#define ESRCH 3         /* no such task */
#define EINTR 4         /* interrupted */
#define EIO 5           /* a device reported an error */
#define ENXIO 6         /* no such device or address */
#define E2BIG 7         /* argument list too long */
#define ENOEXEC 8       /* not an executable we can run */
#define EBADF 9         /* bad file descriptor */
#define ECHILD 10       /* no such child */
#define EAGAIN 11       /* try again */
#define ENOMEM 12       /* out of memory */
#define EACCES 13       /* permission denied */
#define EFAULT 14       /* bad address */
#define EBUSY 16        /* device or resource busy */
#define EEXIST 17       /* already exists */
#define ENODEV 19       /* no such device */
#define ENOTDIR 20      /* a path component is not a directory */
#define EISDIR 21       /* is a directory */
#define EINVAL 22       /* invalid argument */
#define ENFILE 23       /* too many open files in the system */
#define EMFILE 24       /* too many open files */
#define EFBIG 27        /* file too large */
#define ENOSPC 28       /* no space left on device */
#define EROFS 30        /* read-only file system */
#define ERANGE 34       /* result out of range */
#define ENAMETOOLONG 36 /* name too long */
#define ENOSYS 38       /* no such system call */
#define ELOOP 40        /* a loop (in a cluster chain, a path) */
#define ENODATA 61      /* no data */
#define ETIMEDOUT 110   /* a device did not answer in time */
#define EUCLEAN 117     /* structure needs cleaning: corrupt on-disk data */
#define EMEDIUMTYPE 124 /* wrong medium type: not a file system we read */

#endif
