// Staff pages (desk officers, leaders, specialists): the work queue and one dossier with its actions.
// The pages themselves live in pages/desk/.
import { queuePage } from "./desk/queue.js";
import { dossierPage } from "./desk/dossier.js";

export function register(route) {
  route("/desk", queuePage);
  route("/desk/dossiers/:id", dossierPage);
}
