// The agencies (GET /agencies), asked once per page load; a failure is forgotten so the next page asks again.
import { api } from "./api.js";

let agencyList = null;

export function agencies() {
  if (!agencyList) {
    agencyList = api.get("/agencies").then(
      (r) => r.items || [],
      (err) => {
        agencyList = null;
        throw err;
      },
    );
  }
  return agencyList;
}
