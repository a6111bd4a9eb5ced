// Staff pages (desk officers, leaders, specialists): their sign-in, the work queue, one dossier with its actions, a
// new dossier taken in at the desk and the reconciliation of online payments. The pages themselves live in pages/desk/.
import { queuePage } from "./desk/queue.js";
import { dossierPage } from "./desk/dossier.js";
import { staffSignInPage } from "./desk/sign-in.js";
import { reconciliationPage } from "./desk/reconciliation.js";
import { intakePickerPage, intakePage } from "./desk/intake.js";

export function register(route) {
  route("/staff/sign-in", staffSignInPage);
  route("/desk", queuePage);
  route("/desk/dossiers/:id", dossierPage);
  route("/desk/new", intakePickerPage);
  route("/desk/new/:procedure", intakePage);
  route("/desk/payments/reconciliation", reconciliationPage);
}
