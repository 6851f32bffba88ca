// recycle-bin: the logically deleted records still restorable (Store::
// Undelete), with their delete times; the listing is scan's.
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunRecycleBin(Context* ctx, Args* args) { return ListRecords(ctx, args, /*deleted=*/true); }

}  // namespace metakv::tools::ctl
