/* libFuzzer target for the JSON reader. Beyond "no crash, no sanitizer
 * report", it checks properties and aborts if one fails:
 *  1. every node's links stay inside the document (parent, next, first);
 *  2. a container's children number exactly its count, in index order;
 *  3. every string and key lies inside the text pool, NUL-terminated;
 *  4. the path of every node can be written.
 * Run: build-fuzz/fuzz_json_parse -max_total_time=60 CORPUS_COPY */
#include "base/json_parse.h"
#include "base/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_json_parse: %s\n", what);
		abort();
	}
}

static void check_node(const struct hv_jdoc *doc, const struct hv_jnode *n)
{
	uint32_t seen = 0;

	check(n->parent == HV_JNONE || n->parent < doc->n_nodes, "parent");
	check(n->next == HV_JNONE || n->next < doc->n_nodes, "next");
	check(n->line >= 1 && n->column >= 1, "position");
	if (n->type == HV_JSTRING || n->type == HV_JNUMBER)
		check((size_t)n->str + n->str_len < doc->text_len &&
			      doc->text[n->str + n->str_len] == '\0',
		      "string inside the pool");
	if (n->parent != HV_JNONE && doc->nodes[n->parent].type == HV_JOBJECT)
		check((size_t)n->key + n->key_len < doc->text_len &&
			      doc->text[n->key + n->key_len] == '\0',
		      "key inside the pool");
	for (const struct hv_jnode *c = hv_jdoc_first(doc, n); c;
	     c = hv_jdoc_next(doc, c)) {
		check(c->index == seen, "child index");
		check(&doc->nodes[c->parent] == n, "child's parent");
		check(++seen <= n->count, "more children than counted");
	}
	if (n->type == HV_JARRAY || n->type == HV_JOBJECT)
		check(seen == n->count, "fewer children than counted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_jdoc doc;
	struct hv_error err;
	struct hv_strbuf path = HV_STRBUF_INIT;
	struct hv_jlimits lim = {1u << 20, 32};
	int rc = hv_jdoc_parse(&doc, "fuzz", (const char *)data, size, &lim,
			       &err);

	check(rc == 0 || rc == HV_ERR_INPUT, "result category");
	check((rc != 0) == doc.damaged, "damaged flag");
	for (size_t i = 0; i < doc.n_nodes; i++) {
		int64_t v;

		check_node(&doc, &doc.nodes[i]);
		(void)hv_jdoc_int(&doc, &doc.nodes[i], &v);
		hv_strbuf_reset(&path);
		hv_jdoc_path(&doc, &doc.nodes[i], &path);
		check(path.len && path.buf[0] == '$', "path");
	}
	hv_strbuf_release(&path);
	hv_jdoc_release(&doc);
	return 0;
}
