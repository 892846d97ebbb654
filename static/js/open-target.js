// A link to an event folded away under "Show earlier…" (#session-12, #pain-3) opens the fold
// and scrolls to it, in browsers that do not open a closed <details> for a fragment themselves.
function openTarget() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  let opened = false;
  for (let fold = target.parentElement.closest('details'); fold; fold = fold.parentElement.closest('details')) {
    if (!fold.open) {
      fold.open = true;
      opened = true;
    }
  }
  if (opened) target.scrollIntoView();
}

openTarget();
window.addEventListener('hashchange', openTarget);
