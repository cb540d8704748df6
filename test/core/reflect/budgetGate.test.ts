import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayRunAhead, projectedSpend, SessionCosts, type BudgetGateInput } from '../../../src/core/reflect/budgetGate';
import { callsLeftWhenPrepared, expectedSessionCalls, fewestSessionCalls } from '../../../src/core/reflect/sessionSteps';

const gate = (over: Partial<BudgetGateInput>): BudgetGateInput => ({
  before: { calls: 0, cost: 0 },
  made: { calls: 10, cost: 0.001 },
  pending: 0,
  openBefore: [],
  costs: new SessionCosts(),
  maxCalls: 1000,
  ...over,
});

test('SessionCosts: the mean of the kept sessions that got at least as far, whatever order they were added in', () => {
  const c = new SessionCosts();
  assert.equal(c.expectedGiven(0), undefined);
  for (const a of [{ calls: 9, cost: 1.125 }, { calls: 1, cost: 0.125 }, { calls: 7, cost: 0.875 }, { calls: 1, cost: 0.125 }]) c.add(a);
  assert.equal(c.size, 4);
  assert.deepEqual(c.expectedGiven(0), { calls: 4.5, cost: 0.5625, sessions: 4 });
  assert.deepEqual(c.expectedGiven(1), { calls: 4.5, cost: 0.5625, sessions: 4 });
  // Past the first call only the sessions the LLM got wrong are left.
  assert.deepEqual(c.expectedGiven(2), { calls: 8, cost: 1, sessions: 2 });
  assert.deepEqual(c.expectedGiven(8), { calls: 9, cost: 1.125, sessions: 1 });
  assert.equal(c.expectedGiven(10), undefined, 'no kept session got this far: nothing to say');
  c.add({ calls: 12, cost: 1.5 });
  assert.deepEqual(c.expectedGiven(10), { calls: 12, cost: 1.5, sessions: 1 }, 'an add after a read is seen');
});

test('projectedSpend: what was made, the requests in flight at the mean price, and what the open sessions before will still spend', () => {
  const costs = new SessionCosts();
  costs.add({ calls: 1, cost: 0.0001 });
  costs.add({ calls: 9, cost: 0.0009 });
  // Nothing open: what was made plus what earlier runs were charged.
  assert.deepEqual(projectedSpend(gate({ before: { calls: 5, cost: 0.0005 }, costs })), { calls: 15, cost: 0.0015 });
  // Three in flight at 0.0001 a call.
  const p = projectedSpend(gate({ pending: 3, costs }))!;
  assert.equal(p.calls, 13);
  assert.ok(Math.abs(p.cost - 0.0013) < 1e-12);
  // An open session three calls in (one in flight) is one the LLM got wrong: it will cost 9,
  // so 5 more besides the one in flight; one not started counts at the mean of all (5 calls).
  const q = projectedSpend(gate({ pending: 1, costs, openBefore: [{ calls: 2, cost: 0.0002, pending: 1 }, { calls: 0, cost: 0, pending: 0 }] }))!;
  assert.equal(q.calls, 10 + 1 + 6 + 5);
  assert.ok(Math.abs(q.cost - (0.001 + 0.0001 + 0.0006 + 0.0005)) < 1e-12, String(q.cost));
  // A session that already spent more than the kept ones did adds nothing more.
  assert.equal(projectedSpend(gate({ costs, openBefore: [{ calls: 20, cost: 0.002, pending: 0 }] }))!.calls, 10);
});

test('mayRunAhead: closes once the projection reaches either budget; under a cost budget, not before a price is known', () => {
  const costs = new SessionCosts();
  costs.add({ calls: 9, cost: 0.0009 });
  const open = [{ calls: 2, cost: 0.0002, pending: 0 }];
  // 10 made + 7 the open session will still make = 17 calls, 0.0017.
  assert.equal(mayRunAhead(gate({ costs, openBefore: open, maxCalls: 18 })), true);
  assert.equal(mayRunAhead(gate({ costs, openBefore: open, maxCalls: 17 })), false);
  assert.equal(mayRunAhead(gate({ costs, openBefore: open, maxCost: 0.00171 })), true);
  assert.equal(mayRunAhead(gate({ costs, openBefore: open, maxCost: 0.00169 })), false);
  // Counting only what was made (the gate before) would have let this one through.
  assert.equal(mayRunAhead(gate({ costs, openBefore: [], maxCost: 0.00169 })), true);

  const fresh = { made: { calls: 0, cost: 0 }, pending: 40 };
  assert.equal(mayRunAhead(gate({ ...fresh, maxCost: 1 })), false, 'no answer yet: the price of a call is unknown');
  assert.equal(projectedSpend(gate({ ...fresh, maxCost: 1 })), undefined);
  assert.equal(mayRunAhead(gate({ ...fresh, before: { calls: 10, cost: 0.001 }, maxCost: 1 })), true, "earlier runs' price stands in");
  assert.equal(mayRunAhead(gate({ ...fresh, before: { calls: 10, cost: 0.001 }, maxCost: 0.004 })), false, '10 charged + 40 in flight at 0.0001 each reach 0.005');
  assert.equal(mayRunAhead(gate(fresh)), true, 'without a cost budget calls are all that count');
  assert.equal(mayRunAhead(gate({ ...fresh, maxCalls: 40 })), false);
});

test('fewestCalls stands in where no kept session got as far: a session past its base answer will make its turns', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 7].map(fewestSessionCalls), [0, 1, 4, 4, 4, 7]);
  const costs = new SessionCosts();
  costs.add({ calls: 1, cost: 0.0001 }); // only a session the LLM ranked well was kept so far
  const open = [{ calls: 1, cost: 0.0001, pending: 1 }];
  // Without the floor nothing more is expected of it; with it, two more calls at 0.0001.
  assert.equal(projectedSpend(gate({ costs, openBefore: open, pending: 1 }))!.calls, 11);
  const p = projectedSpend(gate({ costs, openBefore: open, pending: 1, fewestCalls: fewestSessionCalls }))!;
  assert.equal(p.calls, 13);
  assert.ok(Math.abs(p.cost - 0.0013) < 1e-12, String(p.cost));
  // Once a kept session got that far, what it cost is the estimate again.
  costs.add({ calls: 9, cost: 0.0009 });
  assert.equal(projectedSpend(gate({ costs, openBefore: open, pending: 1, fewestCalls: fewestSessionCalls }))!.calls, 11 + 7);
});

test('a prepared session counts what its acceptance still makes (left), not the mean of the kept sessions that got as far', () => {
  const costs = new SessionCosts();
  costs.add({ calls: 1, cost: 0.0001 });
  costs.add({ calls: 9, cost: 0.0009 });
  // One call in: unknown, the mean of all kept (5 calls), so 4 more; prepared and ranked right, none.
  assert.equal(projectedSpend(gate({ costs, openBefore: [{ calls: 1, cost: 0.0001, pending: 0 }] }))!.calls, 14);
  assert.equal(projectedSpend(gate({ costs, openBefore: [{ calls: 1, cost: 0.0001, pending: 0, left: 0 }] }))!.calls, 10);
  // Prepared with two effective candidates: at most their two redundancy questions.
  const p = projectedSpend(gate({ costs, openBefore: [{ calls: 7, cost: 0.0007, pending: 0, left: 2 }] }))!;
  assert.equal(p.calls, 12);
  assert.ok(Math.abs(p.cost - 0.0012) < 1e-12, String(p.cost));
});

test('callsLeftWhenPrepared: none for a session ranked right, one question per effective candidate', () => {
  const effect = (effective: boolean) => ({ result: { effective, rankAfter: null }, client: undefined as never });
  const base = { index: 0, session: undefined as never, baseRank: 3, texts: [], fixed: [] };
  assert.equal(callsLeftWhenPrepared({ ...base, error: false, effect: new Map() }), 0);
  assert.equal(callsLeftWhenPrepared({ ...base, error: true, effect: new Map([['a', effect(true)], ['b', effect(false)], ['c', effect(true)]]) }), 2);
});

test('expectedSessionCalls: a session past its base answer makes its turns and two checks; one not answered, that at the error share', () => {
  assert.deepEqual([2, 3, 6, 9].map((c) => expectedSessionCalls(c, 0.5)), [6, 6, 6, 9]);
  assert.equal(expectedSessionCalls(0, 0), 1);
  assert.equal(expectedSessionCalls(1, 1), 6);
  assert.equal(expectedSessionCalls(1, 0.4), 3);
});

test('a prior stands for `weight` kept sessions: one kept session ranked right does not make every open one cost a call', () => {
  const costs = new SessionCosts();
  costs.add({ calls: 1, cost: 0.0001 }); // the first session kept: ranked right, one call
  const open = [{ calls: 0, cost: 0, pending: 1 }, { calls: 0, cost: 0, pending: 1 }];
  // Without a prior each open session is taken to make its one call (in flight): nothing more.
  assert.equal(projectedSpend(gate({ costs, openBefore: open, pending: 2 }))!.calls, 12);
  // With a prior of 3 calls at weight 1: (1 + 3) / 2 = 2 each, one more besides the one in flight.
  const prior = { calls: () => 3, weight: 1 };
  const p = projectedSpend(gate({ costs, openBefore: open, pending: 2, prior }))!;
  assert.equal(p.calls, 12 + 2);
  assert.ok(Math.abs(p.cost - 0.0014) < 1e-12, String(p.cost));
  // Kept sessions outweigh it as they come: with 9 more kept ranked right the mean is (10 + 3) / 11.
  for (let i = 0; i < 9; i++) costs.add({ calls: 1, cost: 0.0001 });
  assert.ok(Math.abs(projectedSpend(gate({ costs, openBefore: open, pending: 2, prior }))!.calls - (12 + 2 * (13 / 11 - 1))) < 1e-9);
  // No kept session and weight 0: the prior branch has nothing to average and is skipped.
  assert.equal(projectedSpend(gate({ openBefore: open, pending: 2, prior: { calls: () => 3, weight: 0 } }))!.calls, 12);
  // The floor still holds under a prior: a session past its base answer makes its turns.
  assert.ok(projectedSpend(gate({ costs, openBefore: [{ calls: 2, cost: 0.0002, pending: 0 }], prior: { calls: () => 0, weight: 1 }, fewestCalls: fewestSessionCalls }))!.calls >= 10 + 2);
});
