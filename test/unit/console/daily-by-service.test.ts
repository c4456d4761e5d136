import { dailyByService } from "../../../console/src/daily-by-service";

describe("the Overview's daily spend by service", () => {
  const groups = [
    { day: "2026-11-02", service: "AmazonS3", amountUsd: 0.67 },
    { day: "2026-11-01", service: "AmazonEC2", amountUsd: 100 },
    { day: "2026-11-01", service: "AmazonS3", amountUsd: 0.1 },
    { day: "2026-11-01", service: "AWSLambda", amountUsd: 0.2 },
    { day: "2026-11-02", service: "AmazonEC2", amountUsd: 99.99 },
  ];

  it("gives one stacked series per service, largest first, with 0 on days without spend", () => {
    const { services, spec } = dailyByService(groups);
    expect(services).toEqual(["AmazonEC2", "AmazonS3", "AWSLambda"]);
    expect(spec).toEqual({
      categories: ["01", "02"],
      series: [
        { name: "AmazonEC2", stack: "spend", values: [100, 99.99] },
        { name: "AmazonS3", stack: "spend", values: [0.1, 0.67] },
        { name: "AWSLambda", stack: "spend", values: [0.2, 0] },
      ],
    });
  });

  it("gives the table's rows, each day's total the sum of its cells in cents", () => {
    const { rows } = dailyByService(groups);
    // 100 + 0.1 + 0.2 in floating point is 100.30000000000001; in cents it is 10030.
    expect(rows).toEqual([
      { day: "2026-11-01", byService: { AmazonEC2: 100, AmazonS3: 0.1, AWSLambda: 0.2 }, totalUsd: 100.3 },
      { day: "2026-11-02", byService: { AmazonEC2: 99.99, AmazonS3: 0.67, AWSLambda: 0 }, totalUsd: 100.66 },
    ]);
    expect(dailyByService([])).toEqual({ services: [], rows: [], spec: { categories: [], series: [] } });
  });
});
