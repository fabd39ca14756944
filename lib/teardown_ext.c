/* The teardown steps in hook and network code; see teardown.h. A file of
 * its own so that the login path, which calls nsset_set_teardown without
 * them, links neither. */
#include "teardown.h"

#include "hook.h"
#include "net.h"

static int hook_destroy(const struct nsset_store *st, const struct nsset_meta *m,
			const struct nsset_log *log, struct nsset_err *e)
{
	return nsset_hook_run(st->path, m, "destroy", log, e);
}

const struct nsset_teardown_ext nsset_teardown_hook_net = {
	.hook_destroy = hook_destroy,
	.net_down = nsset_net_down,
};
