/*
 * completion.c - `egressc completion bash|zsh`: shell completion written
 * from the command table of egressc.c and the option rows of args.c, so a
 * command or option added there completes with no script to edit; and
 * `egressc completion tiers POLICY`, which the scripts call to offer the
 * tier names of the policy on the command line.
 *
 * What an option's argument completes to comes from its metavariable:
 * FILE and DIR are paths, TARGETS the targets (a comma list), T a tier,
 * NAME of --netns a network namespace; a few options have fixed words.
 * The kinds of catalog and import, and import's Aerleon POLICY (.pol or
 * YAML), are the scripts' own cases.
 */
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "cli/cli.h"
#include "ir/ir.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/out.h"

/* Options whose argument is one of a few words. */
static const struct {
	const char	*opt;
	const char	*words;
} fixed[] = {
	{ "format", "text json sarif" },
	{ "dump", "ir lowered:" },
	{ "family", "4 6 both" },
};

enum argkind { A_NONE, A_FILE, A_DIR, A_TARGETS, A_TIER, A_NETNS, A_WORDS,
	A_OTHER };

static enum argkind
arg_kind(const struct cli_opt *d, const char **words)
{
	size_t i;

	*words = NULL;
	if (d->arg == NULL)
		return A_NONE;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(fixed[i].opt, d->name) == 0) {
			*words = fixed[i].words;
			return A_WORDS;
		}
	if (strcmp(d->arg, "FILE") == 0)
		return A_FILE;
	if (strcmp(d->arg, "DIR") == 0)
		return A_DIR;
	if (strcmp(d->arg, "TARGETS") == 0)
		return A_TARGETS;
	if (strcmp(d->arg, "T") == 0)
		return A_TIER;
	if (strcmp(d->name, "netns") == 0)
		return A_NETNS;
	return A_OTHER;
}

static void
targets_words(struct out *o)
{
	size_t i;

	out_puts(o, "all");
	for (i = 0; be_all[i] != NULL; i++)
		out_printf(o, " %s", be_all[i]->name);
}

/* "-t --targets --tier ..." for one command. */
static void
cmd_words(struct out *o, const struct cli_cmd *c)
{
	const int *id;

	out_puts(o, "--help");
	for (id = c->opts; *id != 0; id++) {
		const struct cli_opt *d = cli_opt_find(*id);

		if (d == NULL)
			continue;
		if (d->id < 256)
			out_printf(o, " -%c", d->id);
		out_printf(o, " --%s", d->name);
	}
}

static void
bash_script(struct out *o)
{
	const struct cli_cmd *c;
	const struct cli_opt *d;
	const char *words;
	int id;

	out_puts(o, "# bash completion for egressc(1), written by `egressc "
	    "completion bash`\n_egressc_policy()\n{\n\tlocal w\n\tfor w in "
	    "\"${COMP_WORDS[@]:2}\"; do\n\t\tcase $w in *.yaml|*.yml) "
	    "printf '%s\\n' \"$w\" ;; esac\n\tdone | tail -n 1\n}\n\n"
	    "_egressc()\n{\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} "
	    "prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]} opts "
	    "pol\n\tCOMPREPLY=()\n\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"");
	for (c = cli_commands(); c->name != NULL; c++)
		out_printf(o, "%s ", c->name);
	out_puts(o, "--help --version\" -- \"$cur\"))\n\t\treturn\n\tfi\n"
	    "\tcase $prev in\n");
	for (id = 1; id < 512; id++) {
		if ((d = cli_opt_find(id)) == NULL || d->arg == NULL)
			continue;
		out_puts(o, "\t");
		if (d->id < 256)
			out_printf(o, "-%c|", d->id);
		out_printf(o, "--%s)\n", d->name);
		switch (arg_kind(d, &words)) {
		case A_FILE:
			out_puts(o, "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n");
			break;
		case A_DIR:
			out_puts(o, "\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n");
			break;
		case A_TARGETS:
			out_puts(o, "\t\tlocal pre=\"\" t\n\t\tcase $cur in *,*)"
			    " pre=${cur%,*}, ;; esac\n\t\tfor t in ");
			targets_words(o);
			out_puts(o, "; do\n\t\t\tcase $pre$t in \"$cur\"*) "
			    "COMPREPLY+=(\"$pre$t\") ;; esac\n\t\tdone\n");
			break;
		case A_TIER:
			out_puts(o, "\t\tpol=$(_egressc_policy)\n\t\tCOMPREPLY=("
			    "$(compgen -W \"all $([ -n \"$pol\" ] && egressc "
			    "completion tiers \"$pol\" 2>/dev/null)\" -- "
			    "\"$cur\"))\n");
			break;
		case A_NETNS:
			out_puts(o, "\t\tCOMPREPLY=($(compgen -W \"$(ip netns "
			    "list 2>/dev/null | cut -d' ' -f1)\" -- \"$cur\"))\n");
			break;
		case A_WORDS:
			out_printf(o, "\t\tCOMPREPLY=($(compgen -W \"%s\" -- "
			    "\"$cur\"))\n", words);
			break;
		default:
			break;
		}
		out_puts(o, "\t\treturn ;;\n");
	}
	out_puts(o, "\tesac\n\tcase $cmd in\n");
	for (c = cli_commands(); c->name != NULL; c++) {
		out_printf(o, "\t%s) opts=\"", c->name);
		cmd_words(o, c);
		out_puts(o, "\" ;;\n");
	}
	out_puts(o, "\t*) return ;;\n\tesac\n\tcase $cur in\n\t-*) COMPREPLY="
	    "($(compgen -W \"$opts\" -- \"$cur\")) ;;\n\t*) if [ \"$cmd\" = "
	    "catalog ] && [ \"$COMP_CWORD\" -eq 2 ]; then\n\t\tCOMPREPLY=("
	    "$(compgen -W livekit -- \"$cur\"))\n\telif [ \"$cmd\" = "
	    "import ] && [ \"$COMP_CWORD\" -eq 2 ]; then\n\t\tCOMPREPLY=("
	    "$(compgen -W aerleon -- \"$cur\"))\n\telif [ \"$cmd\" = "
	    "import ]; then\n\t\tCOMPREPLY=($(compgen -f -X "
	    "'!*.@(pol|yaml|yml)' -- \"$cur\") $(compgen -d -- \"$cur\"))\n"
	    "\telif [ \"$cmd\" = "
	    "completion ] && [ \"$COMP_CWORD\" -eq 2 ]; then\n\t\tCOMPREPLY=("
	    "$(compgen -W \"bash zsh tiers\" -- \"$cur\"))\n\telse\n\t\t"
	    "COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -- \"$cur\") "
	    "$(compgen -d -- \"$cur\"))\n\tfi ;;\n\tesac\n}\n"
	    "shopt -s extglob 2>/dev/null\ncomplete -o filenames -F _egressc "
	    "egressc\n");
}

/* A zsh _arguments spec for one option, quoted for single quotes. */
static void
zsh_opt(struct out *o, const struct cli_opt *d)
{
	const char *words, *h;

	out_puts(o, " \\\n\t\t    '");
	if (d->id < 256)
		out_printf(o, "(-%c --%s)'{-%c,--%s}'", d->id, d->name, d->id,
		    d->name);
	else
		out_printf(o, "--%s", d->name);
	out_putc(o, '[');
	for (h = d->help; *h != '\0'; h++)
		if (*h == '\'')
			out_puts(o, "'\\''");
		else if (*h == '[' || *h == ']' || *h == ':')
			out_putc(o, ' ');
		else
			out_putc(o, *h);
	out_putc(o, ']');
	switch (arg_kind(d, &words)) {
	case A_NONE:
		break;
	case A_FILE:
		out_printf(o, ":%s:_files", d->arg);
		break;
	case A_DIR:
		out_printf(o, ":%s:_files -/", d->arg);
		break;
	case A_TARGETS:
		out_puts(o, ":targets:_sequence compadd - ");
		targets_words(o);
		break;
	case A_TIER:
		out_puts(o, ":tier:_egressc_tiers");
		break;
	case A_NETNS:
		out_puts(o, ":namespace:_egressc_netns");
		break;
	case A_WORDS:
		out_printf(o, ":%s:(%s)", d->name, words);
		break;
	default:
		out_printf(o, ":%s: ", d->arg);
		break;
	}
	out_putc(o, '\'');
}

static void
zsh_script(struct out *o)
{
	const struct cli_cmd *c;
	const char *s;
	const int *id;

	out_puts(o, "#compdef egressc\n# zsh completion for egressc(1), "
	    "written by `egressc completion zsh`\n\n_egressc_tiers()\n{\n"
	    "\tlocal w pol\n\tfor w in $words; do\n\t\tcase $w in *.yaml|"
	    "*.yml) pol=$w ;; esac\n\tdone\n\tlocal -a t\n\tt=(all ${(f)"
	    "\"$([[ -n $pol ]] && egressc completion tiers $pol 2>/dev/null)"
	    "\"})\n\tcompadd -a t\n}\n\n_egressc_netns()\n{\n\tlocal -a n\n"
	    "\tn=(${${(f)\"$(ip netns list 2>/dev/null)\"}%% *})\n\tcompadd "
	    "-a n\n}\n\n_egressc()\n{\n\tlocal -a cmds\n\tcmds=(\n");
	for (c = cli_commands(); c->name != NULL; c++) {
		out_printf(o, "\t    '%s:", c->name);
		for (s = c->summary; *s != '\0'; s++)
			if (*s == '\'')
				out_puts(o, "'\\''");
			else
				out_putc(o, *s);
		out_puts(o, "'\n");
	}
	out_puts(o, "\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe "
	    "command cmds\n\t\treturn\n\tfi\n\tlocal cmd=$words[2]\n\tshift "
	    "words\n\t(( CURRENT-- ))\n\tcase $cmd in\n");
	for (c = cli_commands(); c->name != NULL; c++) {
		out_printf(o, "\t%s)\n\t\t_arguments -s", c->name);
		for (id = c->opts; *id != 0; id++)
			if (cli_opt_find(*id) != NULL)
				zsh_opt(o, cli_opt_find(*id));
		if (strcmp(c->name, "catalog") == 0)
			out_puts(o, " \\\n\t\t    '1:kind:(livekit)'");
		else if (strcmp(c->name, "import") == 0)
			out_puts(o, " \\\n\t\t    '1:kind:(aerleon)' "
			    "'2:policy:_files -g \"*.(pol|yaml|yml)\"'");
		else if (strcmp(c->name, "completion") == 0)
			out_puts(o, " \\\n\t\t    '1:what:(bash zsh tiers)' "
			    "'2:policy:_files -g \"*.(yaml|yml)\"'");
		else
			out_puts(o, " \\\n\t\t    '1:policy:_files -g "
			    "\"*.(yaml|yml)\"'");
		out_puts(o, " ;;\n");
	}
	out_puts(o, "\tesac\n}\n\n_egressc \"$@\"\n");
}

/* The tiers of a policy, one a line, in order. */
static int
print_tiers(const char *policy)
{
	struct arena *a = arena_new();
	struct policy *pol;
	size_t i;
	int rc = 0;

	diag_quiet_warnings(1);
	if ((pol = pol_load(a, policy)) == NULL)
		rc = -1;
	else
		for (i = 0; i < pol->ir->ntiers; i++)
			printf("%s\n", pol->ir->tiers[i]);
	arena_free(a);
	return rc;
}

int
cmd_completion(struct opts *o, int argc, char **argv)
{
	struct out text;

	(void)o;
	if (argc == 2 && strcmp(argv[0], "tiers") == 0)
		return cli_status(print_tiers(argv[1]));
	if (argc != 1 || (strcmp(argv[0], "bash") != 0 &&
	    strcmp(argv[0], "zsh") != 0))
		return cli_usage_error("completion takes bash, zsh or tiers "
		    "POLICY");
	out_init(&text);
	if (strcmp(argv[0], "bash") == 0)
		bash_script(&text);
	else
		zsh_script(&text);
	fwrite(text.buf, 1, text.len, stdout);
	out_free(&text);
	return fflush(stdout) == 0 ? EX_OK : EX_BAD;
}
