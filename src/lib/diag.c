/* diag.c -- the per-call diagnostic chain (ARCHITECTURE decision 4). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define DIAG_MAX_FRAMES 16

typedef struct {
	int code;
	char *path;
	char *rule;
	char *detail;
} frame_t;

struct cachet_diag_st {
	frame_t frames[DIAG_MAX_FRAMES];
	size_t n;
	size_t dropped;
};

int cachet_diag_init(cachet_diag_t **diag)
{
	if (diag == NULL)
		return CACHET_E_INVALID_ARG;
	*diag = _cachet_calloc(1, sizeof(**diag));
	return *diag ? 0 : CACHET_E_NOMEM;
}

void cachet_diag_clear(cachet_diag_t *diag)
{
	if (diag == NULL)
		return;
	for (size_t i = 0; i < diag->n; i++) {
		free(diag->frames[i].path);
		free(diag->frames[i].rule);
		free(diag->frames[i].detail);
	}
	memset(diag, 0, sizeof(*diag));
}

void cachet_diag_deinit(cachet_diag_t *diag)
{
	cachet_diag_clear(diag);
	free(diag);
}

size_t cachet_diag_count(const cachet_diag_t *diag)
{
	return diag ? diag->n : 0;
}

int cachet_diag_get(const cachet_diag_t *diag, size_t i, int *code,
		    const char **path, const char **rule, const char **detail)
{
	if (diag == NULL || i >= diag->n)
		return CACHET_E_END;
	const frame_t *f = &diag->frames[i];
	if (code)
		*code = f->code;
	if (path)
		*path = f->path ? f->path : "";
	if (rule)
		*rule = f->rule ? f->rule : "";
	if (detail)
		*detail = f->detail ? f->detail : "";
	return 0;
}

void _cachet_diag_vpush(cachet_diag_t *diag, int code, const char *path,
			const char *rule, const char *fmt, va_list ap)
{
	char buf[512];

	if (diag == NULL)
		return;
	if (diag->n >= DIAG_MAX_FRAMES) {
		diag->dropped++;
		return;
	}
	frame_t *f = &diag->frames[diag->n];
	f->code = code;
	f->path = path ? _cachet_strdup(path) : NULL;
	f->rule = rule ? _cachet_strdup(rule) : NULL;
	if (fmt) {
		vsnprintf(buf, sizeof(buf), fmt, ap);
		f->detail = _cachet_strdup(buf);
	} else {
		f->detail = NULL;
	}
	diag->n++;
}

void _cachet_diag_push(cachet_diag_t *diag, int code, const char *path,
		       const char *rule, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cachet_diag_vpush(diag, code, path, rule, fmt, ap);
	va_end(ap);
}
