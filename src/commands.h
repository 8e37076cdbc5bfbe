/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands, one file each (cmd_NAME.c), dispatched by main.c. */
#ifndef AUDITPEAK_COMMANDS_H
#define AUDITPEAK_COMMANDS_H

/* argv[0] is the subcommand's name; each returns the exit code. */
int cmd_status(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_advise(int argc, char **argv);

#endif /* AUDITPEAK_COMMANDS_H */
