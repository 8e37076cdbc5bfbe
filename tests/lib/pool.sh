# shellcheck shell=bash
# A pool of background jobs, for the suites that boot TCG guests: each
# guest is one single-threaded-ish QEMU, so two of them keep a 2-core
# machine busy where one leaves a core idle.  Sourced, not run.
#
#   pool_init N       at most N jobs at once (N >= 1)
#   pool_run CMD...   run CMD in the background, first waiting for a slot
#   pool_wait         wait for every job
#
# A job reports through files of its own (its exit status included): the
# caller reads them back in its own order once pool_wait returns, so the
# suite's output does not depend on which guest finished first.

pool_init() {
	pool_max=$1
	pool_running=0
	[ "$pool_max" -ge 1 ] 2>/dev/null || pool_max=1
}

pool_run() {
	if [ "$pool_running" -ge "$pool_max" ]; then
		wait -n || : # the job's status is in its files (also under set -e)
		pool_running=$((pool_running - 1))
	fi
	"$@" &
	pool_running=$((pool_running + 1))
}

pool_wait() {
	wait || :
	pool_running=0
}
