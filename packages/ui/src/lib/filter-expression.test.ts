import { describe, expect, it } from "vitest";
import { FilterSyntaxError, parseFilterExpression } from "./filter-expression.ts";

describe("filter expressions", () => {
  it("turns clauses into the Mongo-style filter the API takes", () => {
    expect(parseFilterExpression("")).toBeUndefined();
    expect(parseFilterExpression("config.lr > 0.01")).toEqual({ "config.lr": { $gt: 0.01 } });
    expect(parseFilterExpression("state = finished AND summary.acc >= 0.9 and name ~ ^res")).toEqual({
      $and: [{ state: { $eq: "finished" } }, { "summary.acc": { $gte: 0.9 } }, { name: { $regex: "^res" } }],
    });
    expect(parseFilterExpression(`config.opt != "adam"`)).toEqual({ "config.opt": { $ne: "adam" } });
    expect(parseFilterExpression("config.flag = true")).toEqual({ "config.flag": { $eq: true } });
    expect(parseFilterExpression(`name = "42"`)).toEqual({ name: { $eq: "42" } });
  });

  it("rejects what it cannot read with a message that shows the expected form", () => {
    expect(() => parseFilterExpression("config.lr >")).toThrow(FilterSyntaxError);
    expect(() => parseFilterExpression("just words")).toThrow(/field op value/);
    expect(() => parseFilterExpression("1abc = 2")).toThrow(FilterSyntaxError);
  });
});
