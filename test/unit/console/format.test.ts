import { daysInMonth, money, previousMonth, sumCents, toCsv } from "../../../console/src/format";

describe("the console's formatting", () => {
  it("writes CSV as RFC 4180 says: CRLF records, fields with commas, quotes or line breaks quoted, quotes doubled", () => {
    // https://www.rfc-editor.org/rfc/rfc4180#section-2
    expect(
      toCsv(
        ["Account", "Name", "Spend (USD)"],
        [
          ["111111111111", 'the "core", team', "12.50"],
          ["222222222222", "two\nlines", undefined],
        ],
      ),
    ).toBe(
      'Account,Name,Spend (USD)\r\n111111111111,"the ""core"", team",12.50\r\n222222222222,"two\nlines",',
    );
  });

  it("formats dollars to the cent and sums in cents", () => {
    expect(money(1234567.891)).toBe("$1,234,567.89");
    expect(money(0.005)).toBe("$0.01");
    expect(sumCents([0.1, 0.2, 0.3])).toBe(0.6);
  });

  it("knows the previous month and the days of a month", () => {
    expect(previousMonth("2026-01")).toBe("2025-12");
    expect(previousMonth("2026-11")).toBe("2026-10");
    expect(daysInMonth("2028-02")).toBe(29);
    expect(daysInMonth("2026-02")).toBe(28);
  });
});
