// "Copy" buttons of the business number admin page: the callback URL and the verify token go into Meta's dashboard.
for (const button of document.querySelectorAll("[data-copy-from]")) {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copyFrom);
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select(); // no clipboard access (a page served over plain HTTP to another host): the admin copies it
      return;
    }
    button.textContent = "Copied";
  });
}
