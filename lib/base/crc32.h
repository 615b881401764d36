/* CRC-32 as RFC 1952 section 8 defines it (the gzip/zlib polynomial
 * 0xEDB88320, reflected, initial value and final xor 0xFFFFFFFF): the
 * checksum of EVTX file and chunk headers and of chunk record data. */
#ifndef HV_CRC32_H
#define HV_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC-32 over len more bytes; start with crc = 0. Safe to
 * call from several threads at once. */
uint32_t hv_crc32(uint32_t crc, const void *data, size_t len);

#endif
