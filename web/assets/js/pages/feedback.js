// Feedback and petitions (phản ánh, kiến nghị; docs/feedback.md): the public list of answers, the form to file, one
// item for its person or the public, the citizen's own list and the officers' queue and item. The pages live in
// ./feedback/.
import { publicListPage } from "./feedback/public.js";
import { newFeedbackPage } from "./feedback/new.js";
import { itemPage } from "./feedback/item.js";
import { myFeedbackPage } from "./feedback/mine.js";
import { deskQueuePage, deskItemPage } from "./feedback/desk.js";

export function register(route) {
  route("/feedback", publicListPage);
  route("/feedback/new", newFeedbackPage); // before /feedback/:code: the first route that matches renders
  route("/feedback/:code", itemPage);
  route("/my/feedback", myFeedbackPage);
  route("/desk/feedback", deskQueuePage);
  route("/desk/feedback/:code", deskItemPage);
}
