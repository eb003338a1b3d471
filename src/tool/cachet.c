/* cachet.c -- the command-line tool: dispatch to one file per command. */
#include "tool.h"

#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{"sign", cmd_sign, "make a SignedData message"},
	{"verify", cmd_verify, "verify a SignedData message and report every check"},
	{"encrypt", cmd_encrypt, "encrypt for recipients, a password or a KEK"},
	{"decrypt", cmd_decrypt, "decrypt EnvelopedData, AuthEnvelopedData or EncryptedData"},
	{"compress", cmd_compress, "compress into a CompressedData message (zlib)"},
	{"decompress", cmd_decompress, "decompress a CompressedData message"},
	{"inspect", cmd_inspect, "show the structure of any CMS object"},
	{"certs", cmd_certs, "make or take apart a certificates-only message"},
	{"lint", cmd_lint, "list the deviations from the RFCs a message shows"},
	{"demo", cmd_demo, "sign and verify with the bundled demo identities"},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: cachet COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'cachet COMMAND --help' describes a command; man cachet-COMMAND has the details.\n"
		   "Exit status: 0 success, 1 verification or decryption failed, 2 usage error,\n"
		   "3 malformed or unsupported input, 4 I/O or system error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("cachet %s (libcachet %s)\n", PACKAGE_VERSION, cachet_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "cachet: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
