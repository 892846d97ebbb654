// A conversation opens where the reading starts: at its first new message, or else at the
// newest one and the form below it, as a chat does. A link to one message keeps its own place.
if (!window.location.hash) {
  const target = document.getElementById("new-messages") ?? document.getElementById("message-form");
  target?.scrollIntoView({ block: target.id === "new-messages" ? "start" : "end" });
}
