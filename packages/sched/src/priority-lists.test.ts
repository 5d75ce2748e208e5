import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuSet } from "./cpu-set";
import { PriorityLists } from "./priority-lists";
import { Task } from "./task";

function tasks(count: number): Task[] {
  return Array.from({ length: count }, (_, id) => new Task({ id }));
}

/** Ids in priority order, through forEach. */
function order(lists: PriorityLists): number[] {
  const ids: number[] = [];
  lists.forEach((task) => {
    ids.push(task.id);
  });
  return ids;
}

/** The model's highest non-empty level, or -1. */
function highestModelLevel(model: readonly number[][]): number {
  for (let level = model.length - 1; level >= 0; level--) if (model[level]!.length > 0) return level;
  return -1;
}

describe("PriorityLists", () => {
  it("pops the highest level first and FIFO within a level", () => {
    const lists = new PriorityLists(100);
    const [a, b, c, d] = tasks(4) as [Task, Task, Task, Task];
    lists.pushBack(a, 5);
    lists.pushBack(b, 70);
    lists.pushBack(c, 5);
    lists.pushBack(d, 70);
    expect(lists.size).toBe(4);
    expect(lists.highest()).toBe(70);
    expect(lists.levelCount(5)).toBe(2);
    expect(order(lists)).toEqual([1, 3, 0, 2]);
    expect([lists.popHighest(), lists.popHighest(), lists.popHighest(), lists.popHighest()]).toEqual([
      b,
      d,
      a,
      c,
    ]);
    expect(lists.popHighest()).toBeNull();
    expect(lists.peekHighest()).toBeNull();
    expect(lists.highest()).toBe(-1);
  });

  it("pushFront puts a task ahead of its level", () => {
    const lists = new PriorityLists(8);
    const [a, b, c] = tasks(3) as [Task, Task, Task];
    lists.pushBack(a, 3);
    lists.pushBack(b, 3);
    lists.pushFront(c, 3);
    expect(order(lists)).toEqual([2, 0, 1]);
    expect(lists.first(3)).toBe(c);
  });

  it("finds the highest level across bitmap words (levels 0, 31, 32, 63, 64, 99)", () => {
    const lists = new PriorityLists(100);
    const levels = [0, 31, 32, 63, 64, 99];
    const all = tasks(levels.length);
    for (const [index, level] of levels.entries()) lists.pushBack(all[index]!, level);
    for (const level of [...levels].reverse()) {
      expect(lists.highest()).toBe(level);
      expect(lists.popHighest()!.link.level).toBe(-1);
    }
    expect(lists.highest()).toBe(-1);
  });

  it("remove unlinks from the middle, head and tail and clears the links", () => {
    const lists = new PriorityLists(4);
    const [a, b, c] = tasks(3) as [Task, Task, Task];
    for (const task of [a, b, c]) lists.pushBack(task, 2);
    lists.remove(b);
    expect(order(lists)).toEqual([0, 2]);
    expect(b.link).toMatchObject({ next: null, previous: null, level: -1 });
    lists.remove(a);
    lists.remove(c);
    expect(lists.size).toBe(0);
    expect(lists.highest()).toBe(-1);
  });

  it("throws on removing an unlinked task, linking twice, or a level out of range", () => {
    const lists = new PriorityLists(4);
    const [a, b] = tasks(2) as [Task, Task];
    expect(() => lists.remove(a)).toThrow(Error);
    lists.pushBack(a, 1);
    expect(() => lists.pushBack(a, 2)).toThrow(Error);
    expect(() => lists.pushFront(a, 1)).toThrow(Error);
    expect(() => lists.pushBack(b, 4)).toThrow(RangeError);
    expect(() => lists.pushBack(b, -1)).toThrow(RangeError);
    expect(() => new PriorityLists(0)).toThrow(RangeError);
  });

  it("firstAllowedOn returns the first task, highest level first, whose affinity has the CPU", () => {
    const lists = new PriorityLists(10);
    const onlyOne = new Task({ id: 1, affinity: CpuSet.of(1) });
    const zeroOrTwo = new Task({ id: 2, affinity: CpuSet.of(0, 2) });
    const anywhere = new Task({ id: 3 });
    lists.pushBack(onlyOne, 9);
    lists.pushBack(zeroOrTwo, 9);
    lists.pushBack(anywhere, 4);
    expect(lists.firstAllowedOn(1)).toBe(onlyOne);
    expect(lists.firstAllowedOn(2)).toBe(zeroOrTwo);
    expect(lists.firstAllowedOn(5)).toBe(anywhere);
    lists.remove(anywhere);
    expect(lists.firstAllowedOn(5)).toBeNull();
  });

  it("matches an array-of-arrays model under random pushBack / pushFront / remove / popHighest", () => {
    const levels = 70;
    const poolSize = 24;
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant("pushBack" as const),
        task: fc.nat(poolSize - 1),
        level: fc.nat(levels - 1),
      }),
      fc.record({
        kind: fc.constant("pushFront" as const),
        task: fc.nat(poolSize - 1),
        level: fc.nat(levels - 1),
      }),
      fc.record({ kind: fc.constant("remove" as const), task: fc.nat(poolSize - 1) }),
      fc.record({ kind: fc.constant("popHighest" as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const lists = new PriorityLists(levels);
        const pool = tasks(poolSize);
        const model: number[][] = Array.from({ length: levels }, () => []);
        const modelLevel = (id: number) => model.findIndex((list) => list.includes(id));
        for (const step of operations) {
          if (step.kind === "popHighest") {
            const level = highestModelLevel(model);
            const expected = level < 0 ? null : model[level]!.shift()!;
            expect(lists.popHighest()?.id ?? null).toBe(expected);
          } else if (step.kind === "remove") {
            const level = modelLevel(step.task);
            if (level < 0) {
              expect(() => lists.remove(pool[step.task]!)).toThrow(Error);
            } else {
              model[level]!.splice(model[level]!.indexOf(step.task), 1);
              lists.remove(pool[step.task]!);
            }
          } else if (modelLevel(step.task) < 0) {
            if (step.kind === "pushBack") model[step.level]!.push(step.task);
            else model[step.level]!.unshift(step.task);
            lists[step.kind](pool[step.task]!, step.level);
          } else {
            expect(() => lists[step.kind](pool[step.task]!, step.level)).toThrow(Error);
          }
          expect(lists.size).toBe(model.reduce((sum, list) => sum + list.length, 0));
          expect(lists.highest()).toBe(highestModelLevel(model));
          for (let level = 0; level < levels; level++)
            expect(lists.levelCount(level)).toBe(model[level]!.length);
          expect(order(lists)).toEqual([...model].reverse().flat());
        }
      }),
      { numRuns: 300 },
    );
  });
});
