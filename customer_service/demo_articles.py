# ruff: noqa: RUF001, RUF003 (the articles use typographic dashes and the › of menu paths, as customers read them)
"""The demo's knowledge base: Northwind Office, an online shop for office furniture (the demo's customers write
about a broken armrest and a delivery address). (title, category, keywords, Markdown body)."""

ARTICLES: list[tuple[str, str, str, str]] = [
    (
        "Track your order",
        "Orders and delivery",
        "tracking, where is my order, shipment status, parcel, tracking number, dispatch",
        """Once your order leaves our warehouse you get an email with a **tracking number**.

- Open *My account › Orders* and choose the order to see its status.
- Large items (desks, cabinets) travel by freight: the carrier calls you to agree a delivery slot.
- Status "processing" means we are still picking and packing; this takes 1–2 working days.""",
    ),
    (
        "Change the delivery address of an order",
        "Orders and delivery",
        "change address, wrong address, redirect, deliver elsewhere, shipping address, moved",
        """You can change the delivery address until the order is **dispatched**.

1. Open *My account › Orders* and choose the order.
2. Select **Change address** and enter the new one.

Already dispatched? Write to us with the order number: we ask the carrier to redirect it (a fee may apply).""",
    ),
    (
        "Delivery times and shipping costs",
        "Orders and delivery",
        "how long, delivery time, shipping cost, postage, when will it arrive, lead time, free shipping",
        """Items in stock are delivered in **3–5 working days**; made-to-order desks take 3–4 weeks.

Shipping is free above €200. Below that, parcels cost €6.90 and freight deliveries €49.""",
    ),
    (
        "Cancel an order",
        "Orders and delivery",
        "cancel, cancellation, stop order, changed my mind, storno, stornieren, annuler",
        """Orders that have not been dispatched can be cancelled in *My account › Orders › Cancel order*.
The refund reaches you within 5 working days. Dispatched orders can be returned instead (see *Return an item*).""",
    ),
    (
        "My parcel arrived damaged",
        "Orders and delivery",
        "damaged, broken on arrival, transport damage, dented box, scratched, crushed packaging",
        """Sorry about that! Please **keep the packaging** and send us photos of the damage and of the box within
7 days. We send a replacement part or a new item at no cost; you never pay for transport damage.""",
    ),
    (
        "Missing parts or screws",
        "Assembly",
        "missing screws, missing parts, incomplete, hardware bag, bolts missing",
        """Every box has a hardware bag and a parts list on the first page of the manual. If a part is missing, tell
us the item, the part number from the list and how many: we ship it free within 2 working days.""",
    ),
    (
        "Assembly instructions",
        "Assembly",
        "manual, assembly guide, how to assemble, instructions pdf, build, put together",
        """Every product page has its assembly manual as a PDF under **Downloads**. Most chairs assemble in
10 minutes without tools; desks need the Allen key in the box and about 30 minutes with two people.""",
    ),
    (
        "Book an assembly service",
        "Assembly",
        "assembly service, fitter, someone to build, installation, technician visit",
        """Our partners assemble furniture at your home or office from €39 per item. Request it in the
**service catalog** (Services › Assembly appointment) with a date at least 2 days ahead.""",
    ),
    (
        "Adjust the height of your office chair",
        "Chairs",
        "chair too low, chair too high, gas lift, seat height, lever, sinks",
        """Pull the lever on the right under the seat **while standing up** to raise the chair, or while sitting
to lower it. A chair that slowly sinks has a worn gas lift: it is covered by the warranty.""",
    ),
    (
        "Replace a broken armrest",
        "Chairs",
        "armrest, arm rest, broken arm, loose armrest, replacement part, chair arm",
        """Armrests are covered by our **5-year warranty**. Send us a photo of the broken armrest and your order
number, or request the part in the service catalog (Spare parts › Replacement part). To fit it, remove the
four screws under the seat and fasten the new armrest with the same screws.""",
    ),
    (
        "Chair wheels and castors",
        "Chairs",
        "wheels, castors, casters, hard floor, parquet, squeaky wheel, rollers",
        """Our chairs come with castors for carpet. For parquet or tiles, order soft castors (set of five) from
Spare parts. Pull the old castor out firmly and push the new one in until it clicks.""",
    ),
    (
        "Clean and care for fabric and leather",
        "Chairs",
        "clean, stain, leather care, fabric, upholstery, coffee stain, washing",
        """Vacuum fabric regularly and dab stains with lukewarm water and mild soap; never rub. Wipe leather with a
damp cloth and treat it with leather balm twice a year. Covers are not machine washable.""",
    ),
    (
        "Sit-stand desk does not move",
        "Desks",
        "standing desk, electric desk, motor, desk stuck, height adjustable, reset desk, error code",
        """Reset the desk: hold the **down** button until the desk reaches its lowest point and keep holding for
5 seconds. Check that the power cable and the cable between the motors are plugged in. Error E01 or E02
after a reset means a motor needs replacing (covered by the warranty).""",
    ),
    (
        "Desk wobbles",
        "Desks",
        "wobbly desk, unstable, shaky, rocking, tighten, uneven floor",
        """Tighten all frame screws after the first week of use. On an uneven floor, turn the levelling feet
under each leg until the desk stands firm.""",
    ),
    (
        "Return an item",
        "Returns and refunds",
        "return, send back, returns policy, 30 days, return label, ruckgabe, devolucion",
        """You can return any item within **30 days** of delivery. Start the return in *My account › Orders ›
Return*, print the label and drop the parcel at the carrier. Freight items are collected: we call you to
agree a day.""",
    ),
    (
        "When do I get my refund?",
        "Returns and refunds",
        "refund, money back, reimbursement, refund status, credit, repayment",
        """We refund within **5 working days** of receiving your return, to the payment method you used. Your bank
may take another 3 days to show it.""",
    ),
    (
        "Exchange an item for another colour or size",
        "Returns and refunds",
        "exchange, swap, different colour, other size, replace with",
        """Start a return and place a new order for the item you want; we refund the first once it is back.
This is the fastest way, as the new item ships at once.""",
    ),
    (
        "Warranty and guarantee",
        "Warranty and repairs",
        "warranty, guarantee, defect, faulty, how long covered, manufacturer guarantee",
        """All furniture has a **5-year warranty** on frames, mechanisms, gas lifts and armrests, 2 years on
upholstery and electronics. Keep your invoice; we repair or replace the defective part free of charge.""",
    ),
    (
        "Report a defect",
        "Warranty and repairs",
        "defective, something broke, report problem, claim, not working, faulty product",
        """Open a case with a short description of the defect, a photo and your order number. We answer within one
working day and send a part, a technician or a replacement.""",
    ),
    (
        "Payment methods",
        "Payments and invoices",
        "pay, payment options, credit card, paypal, bank transfer, invoice payment, klarna",
        """We accept credit and debit cards, PayPal, bank transfer and, for business accounts, **payment on
invoice** within 30 days.""",
    ),
    (
        "Download an invoice",
        "Payments and invoices",
        "invoice, receipt, bill, vat invoice, copy of invoice, rechnung, factura",
        """Invoices are in *My account › Orders › Invoice (PDF)* once the order ships. Need your company's VAT
number on it? Add it in *My account › Company details* before ordering, or ask us for a corrected invoice.""",
    ),
    (
        "Payment failed or was declined",
        "Payments and invoices",
        "payment declined, card declined, payment error, failed payment, charged twice",
        """A declined payment is often the bank's fraud check: confirm the payment in your bank's app and try
again. If you were charged but see no order, the reservation is released by your bank within 7 days.""",
    ),
    (
        "Use a voucher or discount code",
        "Payments and invoices",
        "voucher, coupon, discount code, promo code, gift card",
        """Enter the code in the basket under **Voucher**. One code per order; codes cannot be used on orders
already placed.""",
    ),
    (
        "Reset your password",
        "Your account",
        "forgot password, reset password, cannot log in, login problem, locked out",
        """Choose **Forgot password** on the sign-in page and enter your email. The link is valid for one hour;
check your spam folder if it does not arrive.""",
    ),
    (
        "Change your email address or details",
        "Your account",
        "update details, change email, change phone number, profile, personal data",
        """Update your name, email and phone number in *My account › Profile*. A new email address is confirmed
by a link we send to it.""",
    ),
    (
        "Delete your account",
        "Your account",
        "delete account, close account, remove my data, gdpr, privacy",
        """Write to us from the email address of your account and we delete it within 30 days. Invoices are kept
for 10 years, as tax law requires.""",
    ),
    (
        "Business accounts and bulk orders",
        "Business customers",
        "business account, company account, bulk order, volume discount, many chairs, corporate, quote",
        """Companies get volume prices from 10 items, payment on invoice and a personal account manager.
Request a quote in the service catalog (Business › Request a quote) with the number of workplaces.""",
    ),
    (
        "Office planning service",
        "Business customers",
        "office layout, planning, floor plan, workplace design, consultation",
        """Our planners design your office layout for free with orders above €5,000: send us your floor plan and
the number of workplaces.""",
    ),
    (
        "Dispose of your old furniture",
        "Services",
        "old furniture, take away, disposal, recycling, pickup old chair, collect old desk",
        """When we deliver, we can take your old furniture away for €25 per item. Book it in the service catalog
(Services › Old furniture pickup).""",
    ),
    (
        "Ergonomic setup of your workplace",
        "Guides",
        "ergonomics, back pain, posture, monitor height, correct sitting, healthy sitting",
        """Set the seat so your feet rest flat and your knees are at 90°. The top of the monitor belongs at eye
level, an arm's length away. Stand up every 30 minutes; a sit-stand desk makes that easy.""",
    ),
    (
        "Product dimensions and weight limits",
        "Guides",
        "dimensions, size, measurements, maximum weight, load capacity, how heavy",
        """Each product page lists its dimensions and the maximum load under **Specifications**. Our chairs carry
up to 120 kg; heavy-duty models up to 150 kg.""",
    ),
    (
        "Contact us and opening hours",
        "Contact",
        "opening hours, phone number, contact, customer service hours, talk to someone, support hours",
        """Our customer service answers on WhatsApp, by email and by phone **Monday to Friday, 8:00–18:00**
(CET). Outside these hours our virtual assistant helps, and you can open a case at any time.""",
    ),
    (
        "Order a product that is out of stock",
        "Orders and delivery",
        "out of stock, sold out, back in stock, restock, availability, notify me",
        """Choose **Notify me** on the product page: we email you as soon as it is back. Most items are
restocked within 3 weeks.""",
    ),
]

COMMUNITY: list[tuple[str, str, str, str]] = [
    (
        "Does the Ergo Pro chair fit under a desk of 72 cm?",
        "Chairs",
        "I want to push the chair under my desk when I'm done. The desk is 72 cm high.",
        "Yes: with the armrests at their lowest the Ergo Pro is 64 cm high at the arms, so it slides under a "
        "72 cm desk. Mine does.",
    ),
    (
        "Can I use the standing desk with a treadmill?",
        "Desks",
        "Thinking of a walking pad under my sit-stand desk.",
        "Works fine for me: set the desk about 10 cm higher than your standing height and save it as a preset.",
    ),
    (
        "Which castors are best for laminate floors?",
        "Chairs",
        "My chair scratches the laminate in my home office.",
        "Order the soft castors from the spare parts: they are rubber-coated and quiet, no more scratches.",
    ),
    (
        "How do I get the old gas lift out?",
        "Chairs",
        "Replacing the gas lift of my chair but the old one is stuck in the base.",
        "Put the chair on its side and tap the base around the gas lift with a rubber mallet; a bit of WD-40 "
        "helps. It comes out after a few hits.",
    ),
    (
        "Is the monitor arm compatible with a glass desk?",
        "Desks",
        "Our meeting room desks have glass tops.",
        "Only with the grommet mount and a reinforcement plate; the clamp can crack glass. Ask customer service "
        "for the plate, it is free.",
    ),
    (
        "Desk makes a clicking noise when moving",
        "Desks",
        "My electric desk clicks every time it goes up.",
        "Mine did too: one of the cross-bar screws was loose. Tighten all frame screws and the noise stops.",
    ),
    (
        "Best chair settings for long video calls?",
        "Guides",
        "I sit in calls for hours and my lower back hurts.",
        "Raise the lumbar support to the curve of your back and lock the backrest slightly reclined (about "
        "100–110°). Put the camera at eye level so you do not lean forward.",
    ),
    (
        "Can I pay a business order in instalments?",
        "Payments and invoices",
        "We furnish a new office and would prefer to spread the cost.",
        "Business accounts can pay on invoice in 30 days; for instalments ask for leasing in the quote request, "
        "we got 36 months.",
    ),
]
