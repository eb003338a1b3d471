/* report.c -- verdict reports and their text and JSON forms. */
#include "report.h"
#include "sechdr.h"

#include <stdio.h>
#include <stdlib.h>

int _cachet_report_new(cachet_report_t **r)
{
	*r = _cachet_calloc(1, sizeof(**r));
	return *r ? 0 : CACHET_E_NOMEM;
}

int _cachet_report_set(char **field, const char *value)
{
	free(*field);
	*field = value ? _cachet_strdup(value) : NULL;
	return (*field || !value) ? 0 : CACHET_E_NOMEM;
}

int _cachet_report_add_signer(cachet_report_t *r, size_t *idx)
{
	if (r->nsigners == r->scap) {
		size_t cap = r->scap ? r->scap * 2 : 4;
		report_signer_t *s = realloc(r->signers, cap * sizeof(*s));
		if (s == NULL)
			return CACHET_E_NOMEM;
		r->signers = s;
		r->scap = cap;
	}
	memset(&r->signers[r->nsigners], 0, sizeof(r->signers[0]));
	*idx = r->nsigners++;
	return 0;
}

report_signer_t *_cachet_report_signer(cachet_report_t *r, size_t idx)
{
	return idx < r->nsigners ? &r->signers[idx] : NULL;
}

int _cachet_report_check(cachet_report_t *r, report_signer_t *signer,
			 const char *name, cachet_check_status_t status,
			 int code, const char *rule, const char *fmt, ...)
{
	report_check_t **list = signer ? &signer->checks : &r->checks;
	size_t *n = signer ? &signer->n : &r->n;
	size_t *cap = signer ? &signer->cap : &r->cap;
	char detail[1024];
	va_list ap;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		report_check_t *l = realloc(*list, c * sizeof(**list));
		if (l == NULL)
			return CACHET_E_NOMEM;
		*list = l;
		*cap = c;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	report_check_t *c = &(*list)[(*n)++];
	c->name = _cachet_strdup(name);
	c->status = status;
	c->code = status == CACHET_CHECK_FAIL ? code : 0;
	c->rule = rule ? _cachet_strdup(rule) : NULL;
	c->detail = _cachet_strdup(detail);
	if (status == CACHET_CHECK_FAIL) {
		if (signer && signer->result == 0)
			signer->result = code;
		if (r->result == 0)
			r->result = code;
	}
	return 0;
}

static void free_checks(report_check_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].rule);
		free(c[i].detail);
	}
	free(c);
}

void cachet_report_deinit(cachet_report_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nsigners; i++) {
		report_signer_t *s = &r->signers[i];
		free(s->identity);
		free(s->emails);
		_cachet_buf_free(&s->keypref);
		free(s->sid);
		free(s->digest);
		free(s->signature);
		free_checks(s->checks, s->n);
		if (s->sechdr) {
			_cachet_sechdr_deinit(s->sechdr);
			free(s->sechdr);
		}
	}
	free(r->signers);
	free_checks(r->checks, r->n);
	free(r->content_type);
	free(r->digests);
	_cachet_buf_free(&r->certs);
	free(r);
}

const struct sechdr_st *_cachet_report_sechdr(const cachet_report_t *r, size_t signer)
{
	if (r == NULL || signer >= r->nsigners)
		return NULL;
	return r->signers[signer].sechdr;
}

size_t cachet_report_signer_count(const cachet_report_t *r)
{
	return r ? r->nsigners : 0;
}

int cachet_report_signer_result(const cachet_report_t *r, size_t i)
{
	if (r == NULL || i >= r->nsigners)
		return CACHET_E_INVALID_ARG;
	return r->signers[i].result;
}

size_t cachet_report_check_count(const cachet_report_t *r, size_t signer)
{
	if (r == NULL || signer >= r->nsigners)
		return 0;
	return r->signers[signer].n;
}

int cachet_report_check_get(const cachet_report_t *r, size_t signer, size_t j,
			    const char **name, cachet_check_status_t *status,
			    int *code, const char **rule, const char **detail)
{
	if (r == NULL || signer >= r->nsigners || j >= r->signers[signer].n)
		return CACHET_E_END;
	const report_check_t *c = &r->signers[signer].checks[j];
	if (name)
		*name = c->name;
	if (status)
		*status = c->status;
	if (code)
		*code = c->code;
	if (rule)
		*rule = c->rule ? c->rule : "";
	if (detail)
		*detail = c->detail ? c->detail : "";
	return 0;
}

static const char *status_word(cachet_check_status_t s)
{
	switch (s) {
	case CACHET_CHECK_PASS:
		return "pass";
	case CACHET_CHECK_FAIL:
		return "FAIL";
	case CACHET_CHECK_SKIP:
		return "skip";
	default:
		return "info";
	}
}

static int text_checks(cbuf_t *b, const report_check_t *c, size_t n,
		       const char *indent)
{
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = _cachet_buf_printf(b, "%s[%s] %s: %s", indent, status_word(c[i].status),
					 c[i].name, c[i].detail ? c[i].detail : "");
		if (ret == 0 && c[i].rule && *c[i].rule)
			ret = _cachet_buf_printf(b, " (%s)", c[i].rule);
		if (ret == 0 && c[i].status == CACHET_CHECK_FAIL)
			ret = _cachet_buf_printf(b, " [%s]", cachet_strerror_name(c[i].code));
		if (ret == 0)
			ret = _cachet_buf_printf(b, "\n");
	}
	return ret;
}

static int finish(cbuf_t *b, int ret, cachet_datum_t *out)
{
	if (ret < 0) {
		_cachet_buf_free(b);
		return ret;
	}
	out->data = b->data;
	out->size = b->size;
	return 0;
}

int cachet_report_text(const cachet_report_t *r, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;
	if (r == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	ret = _cachet_buf_printf(&b, "SignedData: %s content (%s, %llu bytes), %zu certificate%s, %zu signer%s\n",
				 r->detached ? "detached" : "encapsulated",
				 r->content_type ? r->content_type : "?",
				 (unsigned long long)r->content_size, r->ncerts,
				 r->ncerts == 1 ? "" : "s", r->nsigners, r->nsigners == 1 ? "" : "s");
	if (ret == 0 && r->digests)
		ret = _cachet_buf_printf(&b, "digestAlgorithms: %s\n", r->digests);
	if (ret == 0)
		ret = text_checks(&b, r->checks, r->n, "");
	for (size_t i = 0; i < r->nsigners && ret == 0; i++) {
		const report_signer_t *s = &r->signers[i];
		ret = _cachet_buf_printf(&b, "signer %zu: %s\n  sid: %s\n  algorithms: %s with %s\n", i,
					 s->identity ? s->identity : "(certificate not found)",
					 s->sid ? s->sid : "?", s->digest ? s->digest : "?",
					 s->signature ? s->signature : "?");
		if (ret == 0)
			ret = text_checks(&b, s->checks, s->n, "  ");
		if (ret == 0)
			ret = _cachet_buf_printf(&b, "  verdict: %s%s%s\n", s->result ? "INVALID" : "VALID",
						 s->result ? " " : "",
						 s->result ? cachet_strerror_name(s->result) : "");
	}
	if (ret == 0) {
		if (r->nsigners == 0)
			ret = _cachet_buf_printf(&b, "Result: NOT SIGNED (no SignerInfo; RFC 5652 section 5.1)\n");
		else
			ret = _cachet_buf_printf(&b, "Result: %s\n", r->result ? "INVALID" : "VALID");
	}
	return finish(&b, ret, out);
}

static int json_checks(cbuf_t *b, const report_check_t *c, size_t n)
{
	int ret = _cachet_buf_printf(b, "[");
	for (size_t i = 0; i < n && ret == 0; i++) {
		ret = _cachet_buf_printf(b, "%s{\"name\":", i ? "," : "");
		if (ret == 0)
			ret = _cachet_buf_json_str(b, c[i].name);
		if (ret == 0)
			ret = _cachet_buf_printf(b, ",\"status\":\"%s\",\"code\":", 
						 c[i].status == CACHET_CHECK_PASS ? "pass" :
						 c[i].status == CACHET_CHECK_FAIL ? "fail" :
						 c[i].status == CACHET_CHECK_SKIP ? "skip" : "info");
		if (ret == 0)
			ret = c[i].code ? _cachet_buf_json_str(b, cachet_strerror_name(c[i].code))
					: _cachet_buf_printf(b, "null");
		if (ret == 0)
			ret = _cachet_buf_printf(b, ",\"rule\":");
		if (ret == 0)
			ret = _cachet_buf_json_str(b, c[i].rule ? c[i].rule : "");
		if (ret == 0)
			ret = _cachet_buf_printf(b, ",\"detail\":");
		if (ret == 0)
			ret = _cachet_buf_json_str(b, c[i].detail ? c[i].detail : "");
		if (ret == 0)
			ret = _cachet_buf_printf(b, "}");
	}
	if (ret == 0)
		ret = _cachet_buf_printf(b, "]");
	return ret;
}

int cachet_report_json(const cachet_report_t *r, cachet_datum_t *out)
{
	cbuf_t b = {0};
	int ret;
	if (r == NULL || out == NULL)
		return CACHET_E_INVALID_ARG;
	ret = _cachet_buf_printf(&b, "{\"type\":\"SignedData\",\"detached\":%s,\"contentType\":",
				 r->detached ? "true" : "false");
	if (ret == 0)
		ret = _cachet_buf_json_str(&b, r->content_type ? r->content_type : "");
	if (ret == 0)
		ret = _cachet_buf_printf(&b, ",\"contentSize\":%llu,\"certificates\":%zu,\"checks\":",
					 (unsigned long long)r->content_size, r->ncerts);
	if (ret == 0)
		ret = json_checks(&b, r->checks, r->n);
	if (ret == 0)
		ret = _cachet_buf_printf(&b, ",\"signers\":[");
	for (size_t i = 0; i < r->nsigners && ret == 0; i++) {
		const report_signer_t *s = &r->signers[i];
		ret = _cachet_buf_printf(&b, "%s{\"identity\":", i ? "," : "");
		if (ret == 0)
			ret = _cachet_buf_json_str(&b, s->identity ? s->identity : "");
		if (ret == 0)
			ret = _cachet_buf_printf(&b, ",\"sid\":");
		if (ret == 0)
			ret = _cachet_buf_json_str(&b, s->sid ? s->sid : "");
		if (ret == 0)
			ret = _cachet_buf_printf(&b, ",\"digestAlgorithm\":");
		if (ret == 0)
			ret = _cachet_buf_json_str(&b, s->digest ? s->digest : "");
		if (ret == 0)
			ret = _cachet_buf_printf(&b, ",\"signatureAlgorithm\":");
		if (ret == 0)
			ret = _cachet_buf_json_str(&b, s->signature ? s->signature : "");
		if (ret == 0)
			ret = _cachet_buf_printf(&b, ",\"verdict\":\"%s\",\"code\":", s->result ? "invalid" : "valid");
		if (ret == 0)
			ret = s->result ? _cachet_buf_json_str(&b, cachet_strerror_name(s->result))
					: _cachet_buf_printf(&b, "null");
		if (ret == 0)
			ret = _cachet_buf_printf(&b, ",\"checks\":");
		if (ret == 0)
			ret = json_checks(&b, s->checks, s->n);
		if (ret == 0)
			ret = _cachet_buf_printf(&b, "}");
	}
	if (ret == 0)
		ret = _cachet_buf_printf(&b, "],\"result\":\"%s\",\"code\":",
					 r->nsigners == 0 ? "not-signed" : r->result ? "invalid" : "valid");
	if (ret == 0)
		ret = r->nsigners == 0 ? _cachet_buf_json_str(&b, "CACHET_E_NOT_SIGNED")
		      : r->result	  ? _cachet_buf_json_str(&b, cachet_strerror_name(r->result))
					  : _cachet_buf_printf(&b, "null");
	if (ret == 0)
		ret = _cachet_buf_printf(&b, "}\n");
	return finish(&b, ret, out);
}
