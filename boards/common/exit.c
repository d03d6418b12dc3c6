/*
 * boards/common/exit.c - the normal end of a run: the trace's END record,
 * a flush, and the board's exit with the application's status.
 */
#include "board.h"
#include "port.h"
#include "trace.h"

void ng_exit(int status)
{
    ng_trace_stop(status);
    ng_board_exit(status);
}
