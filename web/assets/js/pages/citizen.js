// The citizen's pages: sign-in, sign-up, their profile, their dossiers, a new submission, one dossier, their papers (the parts live
// in ./citizen/).
import { signInPage } from "./citizen/sign-in.js";
import { signUpPage, verifyPage } from "./citizen/sign-up.js";
import { profilePage } from "./citizen/profile.js";
import { myDossiers } from "./citizen/list.js";
import { newDossier } from "./citizen/new.js";
import { dossierPage } from "./citizen/detail.js";
import { myPapers } from "./citizen/papers.js";

export function register(route) {
  route("/sign-in", signInPage);
  route("/sign-up", signUpPage);
  route("/sign-up/verify", verifyPage);
  route("/my/profile", profilePage);
  route("/my/dossiers", myDossiers);
  route("/my/new/:procedure", newDossier);
  route("/my/dossiers/:id", dossierPage);
  route("/my/papers", myPapers);
}
