// The policy simulator: the action autocomplete adds the chosen action to the list of actions.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("[data-add-to]")) { return; }
  var value = input.value.trim();
  if (!value) { return; }
  var target = document.getElementById(input.dataset.addTo);
  if (!target) { return; }
  target.value = (target.value.trim() ? target.value.trim() + "\n" : "") + value;
  input.value = "";
});
