/*
 * yamlfloor.c - the floor under egressc's front end: libyaml's event loop
 * over a policy file and nothing else (no tree, no strings kept).  make
 * bench runs it beside `egressc explain` on the same file, so the front
 * end's cost is read as a multiple of what parsing YAML must cost at the
 * least.
 */
#include <stdio.h>
#include <yaml.h>

int
main(int argc, char **argv)
{
	yaml_parser_t p;
	yaml_event_t ev;
	static unsigned char buf[64 << 20];
	FILE *f;
	size_t len;
	long n = 0;
	int done = 0;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: yamlfloor FILE\n");
		return 2;
	}
	/* Read whole, as the front end does, then parse from memory. */
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "yamlfloor: %s\n", p.problem);
			return 1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		n++;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	printf("%ld events\n", n);
	return 0;
}
