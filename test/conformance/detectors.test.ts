/** Every registered detector through the conformance suite (test/helpers/conformance.ts). */
import { conformanceSuite } from '../helpers/conformance.js';

conformanceSuite();
