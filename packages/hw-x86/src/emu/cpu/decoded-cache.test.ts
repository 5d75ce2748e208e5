/**
 * DecodedCache: blocks per physical page, release on writes, and the full
 * flush when every block is in use.
 */
import { describe, expect, it } from "vitest";
import { PhysicalRam } from "../physical-ram";
import { DecodedCache, NO_FETCH_WINDOW } from "./decoded-cache";

describe("DecodedCache", () => {
  it("gives each code page its own block and flags the page", () => {
    const ram = new PhysicalRam(16 * 4096);
    const cache = new DecodedCache(ram, 2);
    const first = cache.blockBase(3);
    expect(cache.blockBase(3)).toBe(first);
    expect(ram.codePages[3]).toBe(1);
    const second = cache.blockBase(5);
    expect(second).not.toBe(first);
  });

  it("a write to the page empties its slots and bumps the generation", () => {
    const ram = new PhysicalRam(16 * 4096);
    const cache = new DecodedCache(ram, 2);
    const base = cache.blockBase(3);
    cache.length[base + 10] = 4;
    const generation = cache.generation;
    ram.write8(3 * 4096 + 100, 0x90);
    expect(cache.length[base + 10]).toBe(0);
    expect(ram.codePages[3]).toBe(0);
    expect(cache.generation).toBe(generation + 1);
    expect(cache.invalidations).toBe(1);
  });

  it("resets every registered fetch window on an invalidation", () => {
    const ram = new PhysicalRam(16 * 4096);
    const cache = new DecodedCache(ram, 2);
    const windows = [
      { fetchRipBase: 0x400000, blockStop: 0 },
      { fetchRipBase: 0x7000, blockStop: 0 },
    ];
    for (const window of windows) cache.addFetchWindow(window);
    cache.blockBase(3);
    ram.write8(5 * 4096, 1); // not a code page: nothing happens
    expect(windows.map((window) => window.fetchRipBase)).toEqual([0x400000, 0x7000]);
    ram.write8(3 * 4096 + 1, 1);
    expect(windows.map((window) => window.fetchRipBase)).toEqual([NO_FETCH_WINDOW, NO_FETCH_WINDOW]);
    // A compiled block running on either CPU must leave: its page may be the one released.
    expect(windows.map((window) => window.blockStop)).toEqual([1, 1]);
  });

  it("flushes everything when all blocks are in use", () => {
    const ram = new PhysicalRam(16 * 4096);
    const cache = new DecodedCache(ram, 2);
    cache.blockBase(1);
    cache.blockBase(2);
    cache.blockBase(3);
    expect(ram.codePages[1]).toBe(0);
    expect(ram.codePages[2]).toBe(0);
    expect(ram.codePages[3]).toBe(1);
  });
});
