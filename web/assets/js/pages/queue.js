// Desk queue tickets (lấy số thứ tự; docs/queue.md): the kiosk that hands out numbers, the phone's page that follows
// one, the hall's display of the numbers called, and the officer's counter. The pages live in ./queue/.
import { takePage } from "./queue/take.js";
import { ticketPage } from "./queue/ticket.js";
import { displayPage } from "./queue/display.js";
import { counterPage } from "./queue/counter.js";

export function register(route) {
  route("/queue/take", takePage);
  route("/queue/tickets/:id", ticketPage);
  route("/queue/display", displayPage);
  route("/desk/queue", counterPage);
}
