import { fromScaled, plainDecimal, sumDecimals, toScaled } from "../../../../functions/shared/decimal";

describe("exact decimal sums", () => {
  it("adds amounts exactly where doubles drift", () => {
    const values = Array.from({ length: 10 }, () => "0.1");
    expect(values.reduce((a, v) => a + Number(v), 0)).not.toBe(1); // 0.9999999999999999
    expect(sumDecimals(values)).toBe("1.000000");
    expect(sumDecimals(["1234567890123.123456", "-0.000001", "0"])).toBe("1234567890123.123455");
  });

  it.each([
    ["1e-7", "0.0000001"],
    ["-1.5e-6", "-0.0000015"],
    ["1.25e3", "1250"],
    ["2e21", "2000000000000000000000"],
    ["12.5", "12.5"],
  ])("reads %s as %s", (input, plain) => {
    expect(plainDecimal(input)).toBe(plain);
  });

  it("rounds half away from zero past the scale, for either sign", () => {
    expect(fromScaled(toScaled("0.0000005", 6), 6)).toBe("0.000001");
    expect(fromScaled(toScaled("-0.0000005", 6), 6)).toBe("-0.000001");
    expect(fromScaled(toScaled("0.0000004", 6), 6)).toBe("0.000000");
    expect(fromScaled(toScaled(-0.5, 0), 0)).toBe("-1");
  });

  it("refuses what is not a number, naming it", () => {
    expect(() => sumDecimals(["1", "abc"])).toThrow('"abc" is not a decimal number');
    expect(() => sumDecimals(["NaN"])).toThrow('"NaN" is not a decimal number');
  });
});
