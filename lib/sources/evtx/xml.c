/* The event as XML text, laid out as evtxexport -f xml prints it: two
 * spaces per level, one element a line, empty elements as <Name/>, text
 * content on the element's line. Escaping per XML 1.0 section 2.4. */
#include "sources/evtx/evtx_internal.h"

struct writer {
	struct hv_strbuf *out;
	bool in_attribute; /* values there are escaped for double quotes */
};

static const char spaces[] = "                                        ";

static void indent(struct hv_strbuf *out, int depth)
{
	size_t n = (size_t)depth * 2;

	while (n > sizeof(spaces) - 1) {
		hv_evtx_put(out, spaces, sizeof(spaces) - 1);
		n -= sizeof(spaces) - 1;
	}
	hv_evtx_put(out, spaces, n);
}

static void element_begin(void *ctx, const char *name, size_t len, int depth)
{
	struct hv_strbuf *out = ((struct writer *)ctx)->out;

	indent(out, depth);
	hv_evtx_putc(out, '<');
	hv_evtx_put(out, name, len);
}

static void attribute_begin(void *ctx, const char *name, size_t len)
{
	struct writer *w = ctx;

	hv_evtx_putc(w->out, ' ');
	hv_evtx_put(w->out, name, len);
	hv_evtx_put(w->out, "=\"", 2);
	w->in_attribute = true;
}

static void attribute_end(void *ctx)
{
	struct writer *w = ctx;

	hv_evtx_putc(w->out, '"');
	w->in_attribute = false;
}

static void content_begin(void *ctx, bool has_content, bool has_elements)
{
	struct hv_strbuf *out = ((struct writer *)ctx)->out;

	if (!has_content)
		hv_evtx_put(out, "/>\n", 3);
	else if (has_elements)
		hv_evtx_put(out, ">\n", 2);
	else
		hv_evtx_putc(out, '>');
}

static void text(void *ctx, const struct hv_evtx_piece *piece)
{
	struct writer *w = ctx;

	hv_evtx_piece_text(piece, w->in_attribute ? ESC_XML_ATTR : ESC_XML_TEXT,
			   w->out);
}

static void pi(void *ctx, const char *target, size_t tlen, const char *data,
	       size_t dlen, int depth)
{
	struct hv_strbuf *out = ((struct writer *)ctx)->out;

	indent(out, depth);
	hv_evtx_put(out, "<?", 2);
	hv_evtx_put(out, target, tlen);
	hv_evtx_putc(out, ' ');
	hv_evtx_put(out, data, dlen);
	hv_evtx_put(out, "?>\n", 3);
}

static void element_end(void *ctx, const char *name, size_t len,
			bool had_content, bool had_elements, int depth)
{
	struct hv_strbuf *out = ((struct writer *)ctx)->out;

	if (!had_content)
		return;
	if (had_elements)
		indent(out, depth);
	hv_evtx_put(out, "</", 2);
	hv_evtx_put(out, name, len);
	hv_evtx_put(out, ">\n", 2);
}

int hv_evtx_walk_xml(const struct hv_evtx_ctx *ctx,
		     const struct hv_evtx_doc *doc, struct hv_strbuf *out,
		     bool placeholders, size_t *values)
{
	struct writer w = {out, false};
	struct hv_evtx_sink sink = {
		.ctx = &w,
		.element_begin = element_begin,
		.attribute_begin = attribute_begin,
		.attribute_end = attribute_end,
		.content_begin = content_begin,
		.text = text,
		.pi = pi,
		.element_end = element_end,
		.out = out,
		.placeholders = placeholders,
	};

	hv_evtx_walk(ctx, doc, &sink, 0);
	*values = sink.values;
	return sink.cut ? -1 : 0;
}

int hv_evtx_render_xml(const struct hv_evtx_record *rec, struct hv_strbuf *out)
{
	return hv_evtx_plan_render(rec, true, out);
}
