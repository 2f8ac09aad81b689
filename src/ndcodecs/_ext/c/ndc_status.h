/* Status codes shared by the ndcodecs C codecs: functions return a byte
   count (>= 0) on success or one of these negative values. */

#ifndef NDC_STATUS_H
#define NDC_STATUS_H

#define NDC_ERR_CORRUPT -1 /* invalid or truncated stream */
#define NDC_ERR_OUTPUT -2  /* output buffer too small */
#define NDC_ERR_MEMORY -3  /* allocation failed */

#endif
