/*
 * fuzz_stage: stage.json as read from disk (stage_parse, fs/stage.c). A
 * damaged file is refused with a reason; one accepted prints and loads
 * again as the same stage, plans the same files twice (each one well
 * formed), and pruning never grows it (plan_check.h).
 */
#include "plan_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	struct stage *st = stage_parse((const char *)data, size, err, sizeof err);
	if (!st) {
		CHECK(*err);
		return 0;
	}
	check_stage(st, false);
	stage_free(st);
	return 0;
}
