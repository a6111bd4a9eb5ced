// Staff pages (desk officers, leaders, specialists): their sign-in, the work queue and one dossier with its
// actions. The pages themselves live in pages/desk/.
import { queuePage } from "./desk/queue.js";
import { dossierPage } from "./desk/dossier.js";
import { staffSignInPage } from "./desk/sign-in.js";

export function register(route) {
  route("/staff/sign-in", staffSignInPage);
  route("/desk", queuePage);
  route("/desk/dossiers/:id", dossierPage);
}
