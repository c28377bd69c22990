/*
 * budget.c - the expansion budget, and a thread's tally of it: a tallying
 * thread's spends count to its tally and not to the budget, and fail only
 * past the whole budget (over), saying nothing; the calling thread's
 * budget is its own meanwhile, and spending the tally later spends it.
 */
#include <pthread.h>

#include "tap.h"
#include "util/budget.h"

struct run {
	struct budget_tally	 t;
	int			 rc[4];
	bool			 exhausted;
};

static void *
tallying(void *arg)
{
	struct run *r = arg;

	budget_tally(&r->t);
	r->rc[0] = budget_spend(NULL, 600);
	r->rc[1] = budget_spend(NULL, 300);
	r->rc[2] = budget_spend(NULL, 200);	/* 1,100: past 1,000 */
	r->rc[3] = budget_spend(NULL, 1);	/* over stays over */
	r->exhausted = budget_exhausted();
	budget_tally(NULL);
	return NULL;
}

int
main(void)
{
	struct run r = { { 99, true }, { 9, 9, 9, 9 }, false };
	pthread_t th;

	plan_lazy();
	budget_set(1000);
	ok(budget_spend(NULL, 400) == 0, "the calling thread spends 400");
	pthread_create(&th, NULL, tallying, &r);
	pthread_join(th, NULL);
	ok(r.rc[0] == 0 && r.rc[1] == 0, "a tallying thread spends 600 and 300: "
	    "the whole budget counts, not what is left of it");
	is_int((int)r.t.spent, 900, "its tally holds them");
	ok(r.rc[2] < 0 && r.rc[3] < 0 && r.t.over && r.exhausted, "past the "
	    "whole budget its spends fail, and it is exhausted for it");
	is_int((int)budget_used(), 400, "the budget is the calling thread's "
	    "400 still");
	ok(!budget_exhausted(), "...and not exhausted");
	ok(budget_spend(NULL, 600) == 0 && budget_used() == 1000, "a tally "
	    "that fits is spent at once");
	ok(budget_spend(NULL, 1) < 0 && budget_exhausted(), "...and the next "
	    "unit is past the budget");
	budget_set(0);
	return done_testing();
}
