import { describe, expect, it } from "vitest";
import { parseHash } from "./links";

const ORG = "7692e903-50ca-45dc-a89f-e88d4105c101";
const ALERT = "d81dac7f-b491-4228-91f6-ee522261fb73";

describe("parseHash", () => {
  it("reads the navigation's routes", () => {
    expect(parseHash("#/alerts")).toEqual({ route: "alerts", orgId: null, alertId: null });
    expect(parseHash("#/settings")).toEqual({ route: "settings", orgId: null, alertId: null });
  });

  it("falls back to the dashboard", () => {
    expect(parseHash("").route).toBe("dashboard");
    expect(parseHash("#/nowhere").route).toBe("dashboard");
    expect(parseHash(`#/orgs/${ORG}`)).toEqual({ route: "dashboard", orgId: ORG, alertId: null });
  });

  it("reads a notification's link: organization, page and alert", () => {
    expect(parseHash(`#/orgs/${ORG}/alerts?alert=${ALERT}`)).toEqual({ route: "alerts", orgId: ORG, alertId: ALERT });
    expect(parseHash(`#/orgs/${ORG}/alerts`)).toEqual({ route: "alerts", orgId: ORG, alertId: null });
    expect(parseHash(`#/alerts?alert=${ALERT}`)).toEqual({ route: "alerts", orgId: null, alertId: ALERT });
  });

  it("picks out an alert only on the alerts page", () => {
    expect(parseHash(`#/settings?alert=${ALERT}`).alertId).toBeNull();
    expect(parseHash("#/alerts?alert=").alertId).toBeNull();
  });
});
