// Free times for a treatment on a day, as a group of radio buttons (arrow
// keys move between them, as in any radio group).
import { gql } from "./gql.js";
import { Slots as SLOTS } from "./graphql/slots.js";
import { el, timeOnly } from "./dom.js";

export async function freeSlots(slug, treatmentId, from, to = from, practitionerId = null) {
  const data = await gql(SLOTS, { slug, treatment: treatmentId, from, to, practitioner: practitionerId });
  return data.availableSlots;
}

// One choice per start time; `prefer` picks whose slot stands for a time
// when several practitioners are free then.
export function byStart(slots, prefer = null) {
  const chosen = new Map();
  for (const slot of slots) {
    const held = chosen.get(slot.start);
    if (!held || (prefer && slot.practitioner.id === prefer && held.practitioner.id !== prefer)) chosen.set(slot.start, slot);
  }
  return [...chosen.values()];
}

export function renderTimes(container, slots, timeZone, name, onPick) {
  container.replaceChildren();
  slots.forEach((slot, index) => {
    const id = `${name}-${index}`;
    const label = timeOnly(slot.start, timeZone);
    const input = el("input", { type: "radio", name, id, value: slot.start, onchange: () => onPick(slot) });
    container.append(el("label", { class: "time", for: id }, input, el("span", {}, label)));
  });
}
