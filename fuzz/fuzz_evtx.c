/* libFuzzer target for the EVTX reader over whole files: the file
 * header, its checksum and flags, the chunk count it claims, chunks cut
 * or past the end, then every record as in fuzz_evtx_chunk.c. Every
 * record is rendered as XML and JSON and its fields and event data are
 * read. Beyond "no crash, no sanitizer report, no timeout" it checks and
 * aborts if:
 *  1. a problem has no text or an offset past the end of the input;
 *  2. a rendering is cut without being replaced by a record that says
 *     so, or a rendering or the event data grow past the record's budget
 *     (hv_evtx_record_budget(): time and memory per input byte stay
 *     bounded), or a value of event data past the event string limit;
 *  3. XML or JSON output is not valid UTF-8, or JSON is not one object
 *     on one line;
 *  4. a chunk returns more records than can fit in it;
 *  5. a rendering through a plan (plan.c) differs from the walk's
 *     (walk.c), in XML or JSON, when neither was cut.
 * Seeds: fuzz/corpus/evtx (whole generated logs, see
 * tests/evtx/gen-fixtures.py). Run: tests/fuzz-run build-fuzz/fuzz_evtx */
#define FUZZ_EVTX_NAME "fuzz_evtx"
#include "evtx_fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_as_file(data, size);
	return 0;
}
