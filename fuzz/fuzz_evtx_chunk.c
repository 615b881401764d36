/* libFuzzer target for the EVTX reader over single chunks: the input is
 * one chunk (its header, string and template tables, records, binary XML
 * with templates and substitutions) put behind a good file header, so
 * the fuzzer need not learn the file header first. The checks are those
 * of fuzz_evtx.c (evtx_fuzz_common.h).
 * Seeds: fuzz/corpus/evtx_chunk (chunks of the generated logs, and
 * inputs the fuzzers found). Run: tests/fuzz-run build-fuzz/fuzz_evtx_chunk */
#define FUZZ_EVTX_NAME "fuzz_evtx_chunk"
#include "evtx_fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_as_chunk(data, size);
	return 0;
}
