// Staff pages (desk officers, leaders, specialists): their sign-in, the work queue, one dossier with its actions and
// the reconciliation of online payments. The pages themselves live in pages/desk/.
import { queuePage } from "./desk/queue.js";
import { dossierPage } from "./desk/dossier.js";
import { staffSignInPage } from "./desk/sign-in.js";
import { reconciliationPage } from "./desk/reconciliation.js";

export function register(route) {
  route("/staff/sign-in", staffSignInPage);
  route("/desk", queuePage);
  route("/desk/dossiers/:id", dossierPage);
  route("/desk/payments/reconciliation", reconciliationPage);
}
