#include "base/json.h"

#include "base/utf8.h"

#include <inttypes.h>
#include <string.h>

void hv_json_init(struct hv_json *js, struct hv_strbuf *out, bool pretty)
{
	memset(js, 0, sizeof(*js));
	js->out = out;
	js->pretty = pretty;
}

static void newline(struct hv_json *js)
{
	if (!js->pretty)
		return;
	hv_strbuf_addch(js->out, '\n');
	for (int i = 0; i < js->depth; i++)
		hv_strbuf_adds(js->out, "  ");
}

/* A value directly after a key belongs to it; any other value is an array
 * element (or the top level) and takes its own comma and line. */
static void before_value(struct hv_json *js)
{
	if (js->after_key) {
		js->after_key = false;
		return;
	}
	if (js->depth == 0)
		return;
	if (js->count[js->depth]++)
		hv_strbuf_addch(js->out, ',');
	newline(js);
}

static void open_container(struct hv_json *js, char c)
{
	before_value(js);
	hv_strbuf_addch(js->out, c);
	if (js->depth + 1 < HV_JSON_MAX_DEPTH)
		js->depth++;
	js->count[js->depth] = 0;
}

static void close_container(struct hv_json *js, char c)
{
	bool had_items = js->count[js->depth] > 0;

	if (js->depth > 0)
		js->depth--;
	if (had_items)
		newline(js);
	hv_strbuf_addch(js->out, c);
}

void hv_json_object_begin(struct hv_json *js)
{
	open_container(js, '{');
}

void hv_json_object_end(struct hv_json *js)
{
	close_container(js, '}');
}

void hv_json_array_begin(struct hv_json *js)
{
	open_container(js, '[');
}

void hv_json_array_end(struct hv_json *js)
{
	close_container(js, ']');
}

void hv_json_key(struct hv_json *js, const char *key)
{
	before_value(js);
	hv_json_escape(js->out, key, strlen(key));
	hv_strbuf_adds(js->out, js->pretty ? ": " : ":");
	js->after_key = true;
}

void hv_json_escape(struct hv_strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	hv_strbuf_addch(out, '"');
	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			size_t n = hv_utf8_valid_prefix(s + i, len - i);

			if (n == 0) {
				hv_strbuf_adds(out, "\xef\xbf\xbd");
				i++;
			} else {
				hv_strbuf_add(out, s + i, n);
				i += n;
			}
			continue;
		}
		switch (c) {
		case '"':
			hv_strbuf_adds(out, "\\\"");
			break;
		case '\\':
			hv_strbuf_adds(out, "\\\\");
			break;
		case '\n':
			hv_strbuf_adds(out, "\\n");
			break;
		case '\r':
			hv_strbuf_adds(out, "\\r");
			break;
		case '\t':
			hv_strbuf_adds(out, "\\t");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char esc[7] = {'\\', 'u',	  '0',
					       '0',  hex[c >> 4], hex[c & 15],
					       0};
				hv_strbuf_adds(out, esc);
			} else {
				hv_strbuf_addch(out, (char)c);
			}
		}
		i++;
	}
	hv_strbuf_addch(out, '"');
}

void hv_json_string_len(struct hv_json *js, const char *s, size_t len)
{
	before_value(js);
	hv_json_escape(js->out, s, len);
}

void hv_json_string(struct hv_json *js, const char *s)
{
	if (!s) {
		hv_json_null(js);
		return;
	}
	hv_json_string_len(js, s, strlen(s));
}

void hv_json_int(struct hv_json *js, int64_t v)
{
	before_value(js);
	hv_strbuf_addf(js->out, "%" PRId64, v);
}

void hv_json_bool(struct hv_json *js, bool v)
{
	before_value(js);
	hv_strbuf_adds(js->out, v ? "true" : "false");
}

void hv_json_null(struct hv_json *js)
{
	before_value(js);
	hv_strbuf_adds(js->out, "null");
}

void hv_json_kv_string(struct hv_json *js, const char *key, const char *s)
{
	hv_json_key(js, key);
	hv_json_string(js, s);
}

void hv_json_kv_int(struct hv_json *js, const char *key, int64_t v)
{
	hv_json_key(js, key);
	hv_json_int(js, v);
}

void hv_json_kv_bool(struct hv_json *js, const char *key, bool v)
{
	hv_json_key(js, key);
	hv_json_bool(js, v);
}
