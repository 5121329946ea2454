// The emulator's "Meta controls" page: every control calls the emulator's own JSON API (/_emulator/…), which
// also sends the app the webhook Meta would (README.md lists the endpoints).
(function () {
  const numbersRoot = document.querySelector('[data-testid="controls-numbers"]');
  const outcome = document.querySelector('[data-testid="controls-outcome"]');

  async function call(method, path, body) {
    const response = await fetch(`/_emulator${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
    return answer;
  }

  function node(tag, props, children) {
    const element = document.createElement(tag);
    Object.assign(element, props || {});
    for (const child of children || []) element.append(child);
    return element;
  }

  function say(text, isError) {
    outcome.hidden = false;
    outcome.textContent = text;
    outcome.classList.toggle("is-error", Boolean(isError));
  }

  function button(label, testid, run, danger) {
    const element = node("button", { type: "button", textContent: label, className: danger ? "danger" : "" });
    element.dataset.testid = testid;
    element.addEventListener("click", async () => {
      try {
        say(await run());
        await render();
      } catch (error) {
        say(error.message, true);
      }
    });
    return element;
  }

  function row(label, controls) {
    return node("div", { className: "row" }, [node("span", { className: "label", textContent: label }), ...controls]);
  }

  function numberSection(number, templates) {
    const id = number.phone_number_id;
    const standing = (body) => call("POST", "/number-quality", { phone_number_id: id, ...body });
    const template = (t, body) => call("POST", "/templates", { phone_number_id: id, name: t.name, language: t.language, ...body });
    const quality = (t, value) =>
      call("POST", "/templates/quality", { phone_number_id: id, name: t.name, language: t.language, quality: value });
    const section = node("section", {}, [
      node("h2", { textContent: `${number.display_phone_number} (${id})` }),
      node("p", {
        className: "facts",
        textContent: `Token ${number.token_revoked ? "REVOKED" : "valid"} · quality ${number.quality_rating} · limit ${number.messaging_limit}`,
      }),
      node("h3", { textContent: "Access token" }),
      row("Meta Business settings", [
        button("Revoke token", "revoke-token", async () => {
          await call("POST", "/token", { phone_number_id: id, revoked: true });
          return "Token revoked: every Graph API call with it now gets error 190.";
        }, true),
        button("Restore token", "restore-token", async () => {
          await call("POST", "/token", { phone_number_id: id, revoked: false });
          return "Token restored.";
        }),
      ]),
      node("h3", { textContent: "Number quality (phone_number_quality_update)" }),
      row("Quality and limit", [
        button("Flag (quality red)", "flag-quality", async () => {
          await standing({ event: "FLAGGED", quality_rating: "RED" });
          return "Number flagged: quality RED.";
        }, true),
        button("Unflag (quality green)", "unflag-quality", async () => {
          await standing({ event: "UNFLAGGED", quality_rating: "GREEN" });
          return "Number unflagged: quality GREEN.";
        }),
        button("Downgrade to 250", "downgrade-limit", async () => {
          await standing({ event: "DOWNGRADE", messaging_limit: "TIER_250" });
          return "Messaging limit lowered to TIER_250.";
        }, true),
        button("Upgrade to 10K", "upgrade-limit", async () => {
          await standing({ event: "UPGRADE", messaging_limit: "TIER_10K" });
          return "Messaging limit raised to TIER_10K.";
        }),
      ]),
      node("h3", { textContent: "Templates (message_template_status_update, message_template_quality_update)" }),
    ]);
    section.dataset.testid = "controls-number";
    section.dataset.phoneNumberId = id;
    for (const t of templates) {
      const slug = `${t.name}-${t.language}`;
      const score = (t.quality_score || {}).score || "UNKNOWN";
      section.append(
        row(`${t.name} (${t.language})`, [
          node("span", { className: "status", textContent: `${t.status} · quality ${score}` }),
          button("Approve", `template-approve-${slug}`, async () => (await template(t, { status: "APPROVED" })) && `${t.name} approved.`),
          button("Pause", `template-pause-${slug}`, async () => (await template(t, { status: "PAUSED" })) && `${t.name} paused.`, true),
          button("Disable", `template-disable-${slug}`, async () => (await template(t, { status: "DISABLED" })) && `${t.name} disabled.`, true),
          button("Quality red", `template-red-${slug}`, async () => (await quality(t, "RED")) && `${t.name} rated RED.`, true),
          button("Quality green", `template-green-${slug}`, async () => (await quality(t, "GREEN")) && `${t.name} rated GREEN.`),
        ]),
      );
    }
    return section;
  }

  async function render() {
    const { businesses } = await call("GET", "/businesses");
    const sections = [];
    for (const number of businesses) {
      const { templates } = await call("GET", `/templates?phone_number_id=${encodeURIComponent(number.phone_number_id)}`);
      sections.push(numberSection(number, templates));
    }
    numbersRoot.replaceChildren(...sections);
  }

  render().catch((error) => say(error.message, true));
})();
