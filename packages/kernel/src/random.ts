/**
 * The kernel's random bytes (getrandom, AT_RANDOM, /dev/urandom): a
 * xoshiro128** generator (Blackman and Vigna) seeded from the machine's
 * seed through splitmix32, so the same seed gives the same bytes run after
 * run — determinism over secrecy, as an emulator for testing wants. Not
 * cryptographic; documented as such.
 */
export class KernelRandom {
  private readonly state = new Uint32Array(4);

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let index = 0; index < 4; index++) {
      // splitmix32 (one output per state word).
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[index] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1;
  }

  /** The next 32 random bits. */
  next(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): void {
    for (let index = 0; index < out.length; index += 4) {
      const word = this.next();
      for (let byte = 0; byte < 4 && index + byte < out.length; byte++)
        out[index + byte] = word >>> (8 * byte);
    }
  }
}

function rotl(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}
