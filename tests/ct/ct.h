/* ct.h -- shared by the constant-time tests in tests/ct (STYLE 15).
 *
 * SECRET() marks memory undefined for valgrind's memcheck; PUBLIC()
 * marks it defined again.  Between the two, a conditional jump or a
 * memory address computed from secret bytes makes memcheck report
 * "Conditional jump or move depends on uninitialised value(s)" or "Use
 * of uninitialised value", and tests/ct/run.sh fails the test through
 * valgrind's --error-exitcode.  Outside valgrind the client requests do
 * nothing, so the programs also run natively (CACHET_UNDER_ASAN), where
 * only their functional checks count.
 *
 * A program exits 0 when every functional check held, 2 when one did
 * not, 3 when it could not set itself up; valgrind's own verdict is exit
 * status 1.
 */
#ifndef CACHET_TESTS_CT_H
#define CACHET_TESTS_CT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define CT_HAVE_MEMCHECK 1
#endif
#endif

#ifdef CT_HAVE_MEMCHECK
#define SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define CT_UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#else
#define SECRET(p, n) ((void)(p), (void)(n))
#define PUBLIC(p, n) ((void)(p), (void)(n))
#define CT_UNDER_VALGRIND() 0
#endif

static int ct_checks, ct_failures;

__attribute__((format(printf, 2, 3))) static void ct_check(bool cond,
							    const char *fmt,
							    ...)
{
	va_list ap;

	ct_checks++;
	if (cond)
		return;
	ct_failures++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Report and pick the exit status.  Without the memcheck header the
 * program cannot mark anything, which is a failure unless the run is
 * the sanitizer build's (no valgrind there). */
static int ct_finish(const char *name)
{
#ifndef CT_HAVE_MEMCHECK
	if (getenv("CACHET_UNDER_ASAN") == NULL) {
		printf("FAIL: %s was built without <valgrind/memcheck.h>\n",
		       name);
		return 3;
	}
#endif
	printf("%s: %d functional checks, %d failed%s\n", name, ct_checks,
	       ct_failures,
	       CT_UNDER_VALGRIND() ? " (secrets marked for memcheck)" : "");
	return ct_failures ? 2 : 0;
}

/* A small deterministic generator for test data (not for secrets of
 * any real use). */
static uint64_t ct_rng_state = UINT64_C(0x2545f4914f6cdd1d);

static unsigned ct_rand8(void)
{
	ct_rng_state = ct_rng_state * UINT64_C(6364136223846793005) +
		       UINT64_C(1442695040888963407);
	return (unsigned)(ct_rng_state >> 56) & 0xffu;
}

static void ct_fill(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)ct_rand8();
}

#endif
