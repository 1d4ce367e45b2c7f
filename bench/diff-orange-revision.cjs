// Writes an Orange-like revision of a bundled obakit document (`obakit-codegen diff --write-read`):
// the changes of Orange's page history and the ones it may make next, as JSON edits, so the side-by-side
// comparison runs on them as well as on TM Forum's revisions.
//
//   node bench/diff-orange-revision.cjs user-service|product-ordering OLD.json NEW.json
'use strict';
const fs = require('fs');
const [which, oldPath, newPath] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(oldPath, 'utf8'));
const schemas = doc.components.schemas;
if (which === 'user-service') {
  // 2.2: the action of a productOfferingOperation changes.
  schemas.ProductOfferingOperationAction.enum = ['migrate'];
  // The event path moves (to a v3 here: the published one is v2 already).
  doc.paths['/{offer}/userservice/v3/event'] = doc.paths['/{offer}/userservice/v2/event'];
  delete doc.paths['/{offer}/userservice/v2/event'];
  // A new required request field; a removed response field; a narrowed enum; a new status code.
  schemas.UserServiceUpdateItem.properties.reason = { type: 'string' };
  schemas.UserServiceUpdateItem.required.push('reason');
  delete schemas.UserService.properties.lastUpdate;
  schemas.ExternalState.enum = schemas.ExternalState.enum.filter((v) => v !== 'suspended');
  doc.paths['/userservice/v2/userService/update'].post.responses['409'] = { description: 'Conflict' };
} else {
  // 2.1: no EndUserOperation in ProductOrdering (here: the end user configuration goes).
  delete schemas.OrderItem.properties.endUserConfiguration;
}
fs.writeFileSync(newPath, JSON.stringify(doc, null, 2));
