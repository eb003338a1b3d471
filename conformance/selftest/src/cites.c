/* cites.c -- citations for the checker's selftest: the first id is in
 * selftest/rfc8551.req, the second is not. */
/* [rfc8551-2.1-sha256-verify] */
/* [rfc8551-2.1-no-such-id] */
