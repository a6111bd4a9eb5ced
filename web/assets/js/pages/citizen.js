// The citizen's pages: sign-in, their dossiers, a new submission, one dossier (the parts live in ./citizen/).
import { signInPage } from "./citizen/sign-in.js";
import { myDossiers } from "./citizen/list.js";
import { newDossier } from "./citizen/new.js";
import { dossierPage } from "./citizen/detail.js";

export function register(route) {
  route("/sign-in", signInPage);
  route("/my/dossiers", myDossiers);
  route("/my/new/:procedure", newDossier);
  route("/my/dossiers/:id", dossierPage);
}
