/**
 * Linux's nice-to-weight table (kernel/sched/core.c `sched_prio_to_weight`):
 * each nice step changes a task's share by about 10 % relative to a
 * neighbour (weights differ by ×1.25), nice 0 weighs 1024.
 */
import { NICE_MIN } from "./task";

/** Weight of a nice-0 task. */
export const NICE_0_WEIGHT = 1024;

/** Weight by nice + 20 (index 0 = nice −20, index 39 = nice 19). */
export const NICE_TO_WEIGHT: readonly number[] = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121,
  2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23,
  18, 15,
];

/** The load weight of `nice` (−20..19). */
export function weightOfNice(nice: number): number {
  return NICE_TO_WEIGHT[nice - NICE_MIN]!;
}
