// Behaviour the pages share, kept out of the markup: the Content-Security-Policy allows no
// inline script or event handler.

// A form with data-confirm asks before it is sent ("Revoke the token ...?").
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
