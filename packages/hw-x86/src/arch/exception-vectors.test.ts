import { describe, expect, it } from "vitest";
import {
  EXCEPTION,
  EXCEPTION_CLASS,
  EXCEPTION_TABLE,
  isReservedException,
  pushesErrorCode,
  vectorName,
} from "./exception-vectors";

describe("exception table (SDM vol 3A table 6-1)", () => {
  it("has one row per vector 0-31, in order", () => {
    expect(EXCEPTION_TABLE).toHaveLength(32);
    expect(EXCEPTION_TABLE.map((row) => row.vector)).toEqual([...Array(32).keys()]);
  });

  it("marks exactly #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP as pushing an error code", () => {
    const withCode = EXCEPTION_TABLE.filter((row) => row.errorCode).map((row) => row.vector);
    expect(withCode).toEqual([8, 10, 11, 12, 13, 14, 17, 21]);
    for (let vector = 0; vector < 256; vector++) {
      expect(pushesErrorCode(vector)).toBe(EXCEPTION_TABLE[vector]?.errorCode ?? false);
    }
    expect(pushesErrorCode(-1)).toBe(false);
  });

  it("classifies vectors as the SDM does", () => {
    const classOf = (vector: number) => EXCEPTION_TABLE[vector]!.class;
    expect(classOf(EXCEPTION.PF)).toBe(EXCEPTION_CLASS.FAULT);
    expect(classOf(EXCEPTION.GP)).toBe(EXCEPTION_CLASS.FAULT);
    expect(classOf(EXCEPTION.BP)).toBe(EXCEPTION_CLASS.TRAP);
    expect(classOf(EXCEPTION.OF)).toBe(EXCEPTION_CLASS.TRAP);
    expect(classOf(EXCEPTION.DB)).toBe(EXCEPTION_CLASS.FAULT_OR_TRAP);
    expect(classOf(EXCEPTION.DF)).toBe(EXCEPTION_CLASS.ABORT);
    expect(classOf(EXCEPTION.MC)).toBe(EXCEPTION_CLASS.ABORT);
    expect(classOf(EXCEPTION.NMI)).toBe(EXCEPTION_CLASS.INTERRUPT);
    expect(EXCEPTION_TABLE[EXCEPTION.UD]!.mnemonic).toBe("#UD");
  });

  it("marks 9, 15 and 22-31 as reserved", () => {
    const reserved = EXCEPTION_TABLE.filter((row) => isReservedException(row.vector)).map(
      (row) => row.vector,
    );
    expect(reserved).toEqual([9, 15, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(isReservedException(32)).toBe(false);
  });

  it("names vectors", () => {
    expect(vectorName(14)).toBe("#PF");
    expect(vectorName(2)).toBe("NMI");
    expect(vectorName(15)).toBe("reserved(15)");
    expect(vectorName(48)).toBe("irq(48)");
  });
});
