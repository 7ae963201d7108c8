// Start govuk-frontend's components (tabs, error summary, buttons, service navigation).
import { initAll } from "/govuk/govuk-frontend.min.js";

initAll();
