/*
 * Background (module): wires Thunderbird's events to the controller. Listeners are added at the top
 * level so Thunderbird keeps them persistent and wakes this page for them (Manifest V3).
 */
import { createController } from "./lib/controller.js";
import { HOST_NAME, HostClient } from "./lib/protocol.js";

const client = new HostClient({ connect: () => browser.runtime.connectNative(HOST_NAME) });
const controller = createController({ browser, client });

browser.messageDisplay.onMessagesDisplayed.addListener((tab, displayed) => controller.onMessagesDisplayed(tab, displayed));
browser.tabs.onRemoved.addListener((tabId) => controller.onTabRemoved(tabId));
browser.runtime.onMessage.addListener((msg, sender) => controller.onRuntimeMessage(msg, sender));

controller.start().catch((err) => console.error("mekiki: could not register the banner script:", err));
